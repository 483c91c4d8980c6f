"""What reached a community, kept (issue 19, point 7): every check on the "这能派吗?" page and every
refusal leaves one `CheckRecord` — where it arrived, the sender, the kind, the item and the decision —
so that the monitor can count what arrives. The message itself and who asked are not kept."""

import functools

from django.db import transaction

from jianfu.catalog.models import Category
from jianfu.core import clock, dirty
from jianfu.core.errors import RefusedAtGate
from jianfu.orgs.models import Org, User

from . import overlap, services
from .models import CheckChannel, CheckDecision, CheckRecord, ViolationReport
from .overlap import CheckResult


def record(
    *, org: Org, result: CheckResult, channel: str = CheckChannel.CHECK, report: ViolationReport | None = None
) -> CheckRecord:
    """Keep one check (or, with `report`, one refusal) as the gate answered it at `org` (a community,
    or the street of a street worker who checked without choosing a community)."""
    sender = report.department if report is not None else result.sender
    arrived_on = report.arrived_on if report is not None else clock.today()
    dirty.mark_on(org.district_id, arrived_on)  # the monitor counts what arrived
    return CheckRecord.objects.create(
        channel=CheckChannel.REFUSAL if report is not None else channel,
        org=org,
        sender=sender,
        sender_written="" if sender is not None else result.sender_written[:60],
        kind=result.kind,
        item=result.item,
        decision=result.status,
        rule=result.rule.code if result.rule else "",
        report=report,
        arrived_on=arrived_on,
    )


def check(message: str, *, district: Org, community: Org | None, org: Org) -> tuple[CheckResult, CheckRecord]:
    """Check a demand for a community (or, without one, for the street `org`) and keep the answer."""
    result = overlap.check_request(message, district=district, community=community)
    return result, record(org=community or org, result=result)


@transaction.atomic
def refuse(*, actor: User, community: Org, checked: int | None = None, **report_fields) -> ViolationReport:
    """The one-click refusal: the violation report to the office (its number is the receipt's), and
    the refusal kept with the gate's answer for the community on the day it arrived. A refusal made
    from a check (`checked`: that check's record, the same community's, today's, not yet refused) is
    the same arrival: the check's record becomes the refusal's, so the monitor counts it once."""
    report = services.violation_report(actor=actor, community=community, **report_fields)
    result = overlap.check_request(report.what, community=community, on=report.arrived_on)
    earlier = (
        CheckRecord.objects.filter(
            pk=checked, org=community, channel=CheckChannel.CHECK, report__isnull=True, arrived_on=clock.today()
        ).first()
        if checked
        else None
    )
    if earlier is not None:
        earlier.delete()
    record(org=community, result=result, report=report)
    return report


def keeps_refusals(channel: str):
    """Wrap a service that sends work (a report, a case dispatch): when the gate refuses it, keep one
    arrival for each community refused. Written after the service's transaction rolled back, so the
    refusal stays though nothing else did; an enclosing service wrapped the same way writes it again
    after its own rollback, so it is kept once."""

    def wrap(service):
        @functools.wraps(service)
        def kept(*args, **kwargs):
            try:
                return service(*args, **kwargs)
            except RefusedAtGate as refused:
                _keep(channel, refused)
                raise

        return kept

    return wrap


def _keep(channel: str, refused: RefusedAtGate) -> None:
    item = refused.item
    decision = (
        CheckDecision.NEGATIVE
        if item is not None and item.category == Category.NEGATIVE
        else CheckDecision.NOT_IN_FORCE
    )
    today = clock.today()
    for district_id in {community.district_id for community in refused.refused}:
        dirty.mark_on(district_id, today)
    CheckRecord.objects.bulk_create(
        CheckRecord(
            channel=channel,
            org=community,
            sender=refused.sender,
            kind=refused.kind,
            item=item,
            decision=decision,
            reason=reason[:300],
            arrived_on=today,
        )
        for community, reason in refused.refused.items()
    )
