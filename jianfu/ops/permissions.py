"""Who keeps the platform's shared settings: the official holiday schedule is the access office's."""

import rules

from jianfu.orgs.permissions import is_office

rules.add_perm("core.enter_calendar", is_office)
