"""Mark the district months a change in a source table touches, in the same transaction as the
change; services.refresh_dirty recomputes them. Bulk loads send no signals and refresh themselves."""

from django.db.models.signals import post_delete, post_save

from jianfu.cases.models import Case
from jianfu.catalog.models import Plaque, WorkItem
from jianfu.certificates.models import BaselineCount, CertificateRequest
from jianfu.core import clock
from jianfu.ledger.models import ReportRequest, Submission
from jianfu.orgs.models import Org, OrgKind

from .services import mark_dirty, mark_dirty_on


def _work_item(sender, instance: WorkItem, **kwargs):
    mark_dirty(instance.department.district_id, instance.year)


def _plaque(sender, instance: Plaque, **kwargs):
    district = instance.community.district_id
    start = instance.hung_on
    if instance.removed_on and instance.removed_on < start:
        start = instance.removed_on
    today = clock.today()
    for year in range(start.year, today.year + 1):
        first = start.month if year == start.year else 1
        mark_dirty(district, year, range(first, 13))


def _submission(sender, instance: Submission, **kwargs):
    mark_dirty_on(instance.community.district_id, instance.request.sent_on)


def _report_request(sender, instance: ReportRequest, **kwargs):
    """Submissions are created in bulk (no signal): the request marks its month for them."""
    department = instance.version.template.department
    mark_dirty_on(department.district_id, instance.sent_on)


def _org(sender, instance: Org, **kwargs):
    """A community added, moved or resized changes this year's rows (street, scope, heat table)."""
    if instance.path and instance.kind in (OrgKind.COMMUNITY, OrgKind.GRID, OrgKind.STREET, OrgKind.TOWN):
        today = clock.today()
        mark_dirty(instance.district_id, today.year, range(1, today.month + 1))


def _certificate_request(sender, instance: CertificateRequest, **kwargs):
    mark_dirty_on(instance.community.district_id, instance.decided_on)


def _baseline_count(sender, instance: BaselineCount, **kwargs):
    mark_dirty(instance.community.district_id, instance.year, [instance.month])


def _case(sender, instance: Case, **kwargs):
    district = int(instance.org_path.strip("/").split("/")[0])
    for moment in (instance.dispatched_at, instance.closed_at):
        mark_dirty_on(district, moment)


HANDLERS = [
    (WorkItem, _work_item),
    (Plaque, _plaque),
    (Submission, _submission),
    (ReportRequest, _report_request),
    (Org, _org),
    (CertificateRequest, _certificate_request),
    (BaselineCount, _baseline_count),
    (Case, _case),
]


def connect() -> None:
    for model, handler in HANDLERS:
        post_save.connect(handler, sender=model, dispatch_uid=f"monitor-{model._meta.label}")
        post_delete.connect(handler, sender=model, dispatch_uid=f"monitor-{model._meta.label}-delete")
