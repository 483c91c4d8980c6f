"""The ledger's workflows: a community's report goes up the tree (community → street → department)
and the office may unlock it; a data element proposed from a survey is put into use by the office;
a template version is edited as a draft and published once."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jianfu.core.workflow import Action, Machine

from .models import (
    DataElement,
    DataElementEvent,
    ElementState,
    Submission,
    SubmissionState,
    SubmissionStep,
    TemplateVersion,
    TemplateVersionEvent,
    VersionState,
)
from .permissions import (
    can_activate_element,
    can_edit_version,
    may_department_decide,
    may_fill,
    may_return,
    may_street_decide,
    may_unlock,
)

OPEN, SUBMITTED = SubmissionState.OPEN, SubmissionState.SUBMITTED
STREET_ACCEPTED, ACCEPTED, RETURNED = (
    SubmissionState.STREET_ACCEPTED,
    SubmissionState.ACCEPTED,
    SubmissionState.RETURNED,
)


def _submitted(submission: Submission, now) -> None:
    submission.submitted_at = now


def _published(version: TemplateVersion, now) -> None:
    version.published_at = now


SUBMISSION = Machine(
    Submission,
    name="ledger.submission",
    actions={
        "submit": Action.of(
            (OPEN, RETURNED),
            SUBMITTED,
            may_fill,
            pgettext_lazy("ledger", "submitted"),
            refusal=_("Only the community's workers submit its report, while it is open."),
            effect=_submitted,
        ),
        "street_accept": Action.of(
            SUBMITTED,
            STREET_ACCEPTED,
            may_street_decide,
            pgettext_lazy("ledger", "accepted by the street"),
            refusal=_("You cannot accept this report now."),
        ),
        "accept": Action.of(
            STREET_ACCEPTED,
            ACCEPTED,
            may_department_decide,
            pgettext_lazy("ledger", "accepted"),
            refusal=_("You cannot accept this report now."),
        ),
        "return": Action.of(
            (SUBMITTED, STREET_ACCEPTED),
            RETURNED,
            may_return,
            pgettext_lazy("ledger", "returned"),
            refusal=_("You cannot return this report now."),
        ),
        "unlock": Action.of(
            ACCEPTED,
            OPEN,
            may_unlock,
            pgettext_lazy("ledger", "unlocked"),
            refusal=_("Only the office unlocks an accepted report."),
        ),
    },
    history=SubmissionStep,
    subject="submission",
    org=lambda submission: submission.community,
    select_related=("community", "request__version__template__department"),
)

ELEMENT = Machine(
    DataElement,
    name="ledger.element",
    actions={
        "activate": Action.of(
            ElementState.PROPOSED,
            ElementState.ACTIVE,
            can_activate_element,
            pgettext_lazy("ledger", "put into use"),
            refusal=_("Only the office puts proposed data elements into use."),
        ),
    },
    history=DataElementEvent,
    subject="element",
)

VERSION = Machine(
    TemplateVersion,
    name="ledger.version",
    actions={
        # An edit of the draft's fields: the version stays a draft, the edit is in its history.
        "edit": Action.of(
            VersionState.DRAFT,
            None,
            can_edit_version,
            pgettext_lazy("ledger", "edited"),
            refusal=_("Only a clerk of the department edits it."),
        ),
        "publish": Action.of(
            VersionState.DRAFT,
            VersionState.PUBLISHED,
            can_edit_version,
            pgettext_lazy("ledger", "published"),
            refusal=_("Only a clerk of the department publishes it."),
            effect=_published,
        ),
    },
    history=TemplateVersionEvent,
    subject="version",
    org=lambda version: version.template.department,
    select_related=("template__department", "template__item"),
)
