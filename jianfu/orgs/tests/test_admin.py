"""The admin's membership inline gives and takes roles through the services: their rule (a role only
in its kind of organisation) and their audit entries hold there too."""

import pytest

from jianfu.audit.models import AuditEntry
from jianfu.orgs.models import Membership, Role, User

pytestmark = pytest.mark.django_db


def _form(user, rows):
    """The user's change form as the admin posts it, with the membership rows given."""
    data = {
        "username": user.username,
        "display_name": user.display_name,
        "is_active": "on",
        "date_joined_0": "2026-01-05",
        "date_joined_1": "09:00:00",
        "memberships-TOTAL_FORMS": str(len(rows)),
        "memberships-INITIAL_FORMS": str(sum(1 for r in rows if r.get("id"))),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for n, row in enumerate(rows):
        data |= {f"memberships-{n}-{k}": v for k, v in row.items()}
        data[f"memberships-{n}-user"] = str(user.pk)
    return data


def test_the_admin_gives_and_takes_roles_through_the_services(client, tree, community_worker):
    admin = User.objects.create_superuser("root", password="x")
    client.force_login(admin)
    url = f"/admin/orgs/user/{community_worker.pk}/change/"
    held = Membership.objects.get(user=community_worker)
    # A grid worker's role in a community: refused with the rule's message, nothing saved.
    bad = _form(
        community_worker,
        [
            {"id": str(held.pk), "org": str(held.org_id), "role": held.role},
            {"org": str(tree["community12"].pk), "role": Role.GRID},
        ],
    )
    page = client.post(url, bad)
    assert page.status_code == 200 and "网格" in page.content.decode()
    assert Membership.objects.filter(user=community_worker).count() == 1
    # A second community, then the first taken away: each through its service, each audited.
    good = _form(
        community_worker,
        [
            {"id": str(held.pk), "org": str(held.org_id), "role": held.role, "DELETE": "on"},
            {"org": str(tree["community12"].pk), "role": Role.COMMUNITY},
        ],
    )
    assert client.post(url, good).status_code == 302
    assert list(Membership.objects.filter(user=community_worker).values_list("org", flat=True)) == [
        tree["community12"].pk
    ]
    assert AuditEntry.objects.filter(action="membership.grant", actor=admin).count() == 1
    assert AuditEntry.objects.filter(action="membership.revoke", actor=admin).count() == 1
