import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from jianfu.cases.models import Case, CaseKind, Channel, GroupKind, Matter, MatterGroup, ServiceGroup, ServiceItem
from jianfu.catalog.models import Category, Frequency, ItemKind, Plaque, WorkItem
from jianfu.certificates.models import BaselineCount
from jianfu.core import clock
from jianfu.ledger.models import ReportRequest, ReportTemplate, Submission, TemplateVersion

TODAY = dt.date(2026, 3, 16)


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    monkeypatch.setattr(clock, "now", lambda: timezone.make_aware(dt.datetime.combine(TODAY, dt.time(9))))


def work_item(department, code, kind, year, *, category=Category.DUTY, frequency=Frequency.MONTHLY, hours="2", **kw):
    return WorkItem.objects.create(
        code=code,
        name=f"事项{code}",
        department=department,
        kind=kind,
        category=category,
        year=year,
        frequency=frequency,
        hours_per_occurrence=Decimal(hours),
        funding_yuan=1000 if category == Category.ASSIST else 0,
        **kw,
    )


def ledger_request(department, user, item, number, sent_on, answers: dict):
    """answers: {community: (fields asked, prefilled, typed)}."""
    template = ReportTemplate.objects.create(department=department, item=item, name=f"报表{number}")
    version = TemplateVersion.objects.create(template=template, number=1, period_type="monthly")
    request = ReportRequest.objects.create(
        number=number, version=version, period=f"{sent_on:%Y-%m}", sent_by=user, sent_on=sent_on, due_on=sent_on
    )
    for community, (asked, prefilled, typed) in answers.items():
        Submission.objects.create(
            request=request, community=community, field_count=asked, prefilled_count=prefilled, typed_count=typed
        )


def case(org_unit, number, subject, *, kind=CaseKind.EVENT, whistle=False, dispatched=None, closed=None):
    at = timezone.make_aware(dt.datetime(2025, 1, 2, 9))
    when = lambda d: timezone.make_aware(dt.datetime.combine(d, dt.time(10))) if d else None  # noqa: E731
    return Case.objects.create(
        number=number,
        kind=kind,
        **({"service_item": subject} if kind == CaseKind.SERVICE else {"matter": subject}),
        org_unit=org_unit,
        org_path=org_unit.path,
        description="测试",
        channel=Channel.COMMUNITY,
        whistle=whistle,
        reported_at=at,
        dispatched_at=when(dispatched),
        closed_at=when(closed),
        updated_at=at,
    )


@pytest.fixture
def small(tree, office, frozen):
    """A small district with hand-countable sources in 2025 (baseline) and 2026 (Jan–Mar 16)."""
    d, s1, s2 = tree["district"], tree["street1"], tree["street2"]
    c11, c12, c21 = tree["community11"], tree["community12"], tree["community21"]
    health, civil = tree["health"], tree["civil_affairs"]
    # 2025: two ledgers (monthly, 2 h), a campaign (yearly, 12 h), a monthly meeting (1.5 h), a
    # platform only in street 1, a survey valid to 2025-06-30, and a cancelled task (quarterly, 3 h).
    work_item(health, "A1", ItemKind.LEDGER, 2025)
    work_item(civil, "A2", ItemKind.LEDGER, 2025)
    work_item(civil, "A3", ItemKind.CAMPAIGN, 2025, frequency=Frequency.YEARLY, hours="12")
    work_item(civil, "A4", ItemKind.MEETING, 2025, hours="1.5")
    platform = work_item(health, "A5", ItemKind.PLATFORM, 2025, category=Category.ASSIST, hours="1")
    platform.scope_streets.set([s1])
    work_item(
        health,
        "A6",
        ItemKind.SURVEY,
        2025,
        frequency=Frequency.ONCE,
        hours="6",
        temporary=True,
        valid_until=dt.date(2025, 6, 30),
    )
    work_item(civil, "A7", ItemKind.TASK, 2025, category=Category.CANCELLED, frequency=Frequency.QUARTERLY, hours="3")
    # Not carried: a negative-list item and another district's neighbour year.
    work_item(civil, "A8", ItemKind.TASK, 2025, category=Category.NEGATIVE)
    # 2026: one ledger, the meeting now quarterly.
    ledger_2026 = work_item(health, "B1", ItemKind.LEDGER, 2026)
    work_item(civil, "B4", ItemKind.MEETING, 2026, frequency=Frequency.QUARTERLY, hours="1.5")
    # Plaques: c11 had 4 until the clean-up on 2025-12-31, then 1; c12 always 1.
    for n in range(4):
        Plaque.objects.create(
            community=c11,
            name=f"牌子{n}",
            department=civil,
            hung_on=dt.date(2012, 1, 1),
            removed_on=dt.date(2025, 12, 31) if n else None,
        )
    Plaque.objects.create(community=c12, name="牌子", department=civil, hung_on=dt.date(2012, 1, 1))
    # Certificates (paper log in the baseline year): c11 10 a month in 2025, 6 in Jan–Feb 2026.
    for month in range(1, 13):
        BaselineCount.objects.create(community=c11, label="居住证明", year=2025, month=month, issued=10)
    for month in (1, 2):
        BaselineCount.objects.create(community=c11, label="居住证明", year=2026, month=month, issued=6)
    # Ledger requests in Feb 2026: c11 asked 20 fields, 15 filled, 5 typed; c21 10 / 10 / 0.
    ledger_request(health, office, ledger_2026, "R1", dt.date(2026, 2, 3), {c11: (20, 15, 5), c21: (10, 10, 0)})
    # Cases: a whistle from a grid of c11 dispatched in Feb 2026 and closed in March; a service case
    # closed at c12's window in Jan 2026.
    group = MatterGroup.objects.create(district=d, code="G1", name="环境", kind=GroupKind.values[0])
    matter = Matter.objects.create(group=group, code="M1", name="油烟扰民", department=health)
    service = ServiceItem.objects.create(
        code="S1", name="居住证办理", group=ServiceGroup.values[0], department=civil, time_limit_workdays=3
    )
    case(tree["grid111"], "C1", matter, whistle=True, dispatched=dt.date(2026, 2, 10), closed=dt.date(2026, 3, 2))
    case(c12, "C2", service, kind=CaseKind.SERVICE, closed=dt.date(2026, 1, 20))
    return {"district": d, "street1": s1, "street2": s2, "c11": c11, "c12": c12, "c21": c21}
