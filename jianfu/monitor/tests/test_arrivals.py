"""Issue 21, points 1–3: what arrived at the communities, the leak rate and hours from what arrived,
against hand computation and raw SQL (monitor.arrivals says what one arrival is)."""

import datetime as dt
import importlib
import re
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.db import connection

from jianfu.access import arrivals as gate_arrivals
from jianfu.access import services as access
from jianfu.access.models import CheckChannel, CheckDecision, CheckRecord, ViolationReport
from jianfu.catalog.models import Category, ItemKind, WorkItem
from jianfu.certificates.models import CertificateRequest, Channel, RequestState
from jianfu.core import clock
from jianfu.core.models import DirtyMonth
from jianfu.monitor import selectors, services
from jianfu.monitor.models import ArrivalMonth
from jianfu.orders import services as orders
from jianfu.orders.models import Delivery, DeliveryState

from .conftest import TODAY, work_item

pytestmark = pytest.mark.django_db

FEB = dt.date(2026, 2, 10)


def _hours(report: ViolationReport) -> Decimal:
    """A violation costs its matched item's hours per occurrence, else MONITOR_ARRIVAL_HOURS (1)."""
    return report.matched_item.hours_per_occurrence if report.matched_item else Decimal(1)


@pytest.fixture
def arrived(small, tree, office, clerk, community_worker, monkeypatch):
    """Jan–Feb 2026 (the months compared on 16 March), on top of `small` (whose ledger request R1 of
    health reached c11 with 5 typed fields and c21 with none, in February):

    c11: order O1 (covered, 3 h), order O2 (refused at the gate), R1 (covered, 5 × 2 min), a ledger
         request refused when sent (CheckRecord, channel ledger), a refusal from civil affairs the office
         dismissed (covered), a refusal from street 1 it confirmed (uncovered), a report not yet decided
         without a receipt (not counted)                                            → 6 arrivals, 3 uncovered
    c12: order O1 (covered, 3 h), a certificate issued (covered, 15 min), one on the must-not list
                                                                                    → 3 arrivals, 1 uncovered
    c21: R1 (covered, 0 h), a check in January answered "in force" under B1 (covered, 2 h)
                                                                                    → 2 arrivals, 0 uncovered
    street 2 itself: a street worker's check "not in force", sender only written (1 h)
                                                                                    → 1 arrival, 1 uncovered
    """
    c11, c12, c21 = small["c11"], small["c12"], small["c21"]
    health, civil, street1, street2 = tree["health"], tree["civil_affairs"], tree["street1"], tree["street2"]
    task = work_item(health, "B5", ItemKind.TASK, 2026, hours="3")
    monkeypatch.setattr(clock, "today", lambda: FEB)
    o1 = orders.order_send(
        actor=clerk, source=health, kind=ItemKind.TASK, item=task, title="走访", hours=Decimal(3),
        workdays_to_do=5, communities=[c11, c12],
    )  # fmt: skip
    o2 = orders.order_send(
        actor=clerk, source=health, kind=ItemKind.TASK, item=None, title="帮忙招商", hours=Decimal(2),
        workdays_to_do=5, communities=[c11],
    )  # fmt: skip
    assert set(Delivery.objects.filter(order=o1).values_list("state", flat=True)) == {DeliveryState.DELIVERED}
    assert Delivery.objects.get(order=o2).state == DeliveryState.REFUSED_AT_GATE
    ledger_item = work_item(health, "B6", ItemKind.LEDGER, 2026)
    CheckRecord.objects.create(
        channel=CheckChannel.LEDGER, org=c11, sender=health, kind=ItemKind.LEDGER, item=ledger_item,
        decision=CheckDecision.NOT_IN_FORCE, arrived_on=dt.date(2026, 2, 14),
    )  # fmt: skip
    b1 = WorkItem.objects.get(code="B1")
    CheckRecord.objects.create(
        channel=CheckChannel.CHECK, org=c21, sender=civil, kind=ItemKind.LEDGER, item=b1,
        decision=CheckDecision.IN_FORCE, arrived_on=dt.date(2026, 1, 12),
    )  # fmt: skip
    CheckRecord.objects.create(
        channel=CheckChannel.CHECK, org=street2, sender_written="某协会", kind=ItemKind.TASK,
        decision=CheckDecision.NOT_IN_FORCE, arrived_on=dt.date(2026, 2, 12),
    )  # fmt: skip
    # Refusals with a receipt: each leaves a violation report and its CheckRecord — one arrival.
    dismissed = gate_arrivals.refuse(
        actor=community_worker, community=c11, department=civil, what="要求社区帮忙搬运仓库物资",
        arrived_on=dt.date(2026, 2, 20),
    )  # fmt: skip
    confirmed = gate_arrivals.refuse(
        actor=community_worker, community=c11, department=street1, what="要求社区每天上报巡查照片",
        arrived_on=dt.date(2026, 2, 21),
    )  # fmt: skip
    access.violation_decide(actor=office, report=dismissed, confirm=False, note="属于已准入事项")
    access.violation_decide(actor=office, report=confirmed, confirm=True, note="未经准入")
    access.violation_report(
        actor=community_worker, community=c11, department=health, what="电话要求填写统计表",
        arrived_on=dt.date(2026, 2, 22),
    )  # fmt: skip
    certificate = work_item(civil, "B7", ItemKind.CERTIFICATE, 2026, category=Category.CERTIFICATE)
    must_not = work_item(civil, "B8", ItemKind.CERTIFICATE, 2026, category=Category.NEGATIVE)
    CertificateRequest.objects.create(
        number="Z1", community=c12, item=certificate, channel=Channel.COUNTER, state=RequestState.ISSUED,
        requested_on=dt.date(2026, 2, 3), decided_on=dt.date(2026, 2, 3),
    )  # fmt: skip
    CertificateRequest.objects.create(
        number="Z2", community=c12, item=must_not, channel=Channel.COUNTER, state=RequestState.REDIRECTED,
        responsible_body="派出所", requested_on=dt.date(2026, 2, 4), decided_on=dt.date(2026, 2, 4),
    )  # fmt: skip
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    services.refresh(small["district"], [2025, 2026])
    return small | {"dismissed": dismissed, "confirmed": confirmed, "b1": b1}


def _sql(where: str, params: list) -> tuple[int, int]:
    """Arrivals and uncovered arrivals of the materialised rows, in raw SQL."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(count), 0), COALESCE(SUM(CASE WHEN covered THEN 0 ELSE count END), 0) "
            f"FROM monitor_arrivalmonth WHERE year = 2026 AND month IN (1, 2) AND {where}",  # noqa: S608
            params,
        )
        arrivals, uncovered = cursor.fetchone()
    return int(arrivals), int(uncovered)


def test_each_community_street_and_the_district_leak_by_hand_and_in_sql(arrived, tree):
    months = [1, 2]
    expected = {
        # org: (arrivals, uncovered, rate)
        "c11": (6, 3, Decimal("50.0")),
        "c12": (3, 1, Decimal("33.3")),
        "c21": (2, 0, Decimal("0.0")),
    }
    for key, (n, uncovered, rate) in expected.items():
        leak = selectors.leak(arrived[key], 2026, months)
        assert (leak.arrivals, leak.uncovered, leak.rate) == (n, uncovered, rate), key
        assert _sql("community_id = %s", [arrived[key].pk]) == (n, uncovered), key
    # Street 1: c11 + c12; street 2: c21 and its own worker's check.
    for street, (n, uncovered, rate) in {
        "street1": (9, 4, Decimal("44.4")),
        "street2": (3, 1, Decimal("33.3")),
    }.items():
        leak = selectors.leak(tree[street], 2026, months)
        assert (leak.arrivals, leak.uncovered, leak.rate) == (n, uncovered, rate), street
        assert _sql("street_id = %s", [tree[street].pk]) == (n, uncovered)
    district = selectors.leak(arrived["district"], 2026, months)
    assert (district.arrivals, district.uncovered, district.rate) == (12, 5, Decimal("41.7"))
    assert _sql("district_id = %s", [arrived["district"].pk]) == (12, 5)
    children = selectors.leak_children(arrived["district"], 2026, months)
    assert (children[tree["street1"].pk].rate, children[tree["street2"].pk].rate) == (Decimal("44.4"), Decimal("33.3"))
    # The baseline year had no arrival: no rate, not 0 %.
    assert selectors.leak(arrived["district"], 2025, months).rate is None


def test_per_month(arrived):
    by_month = selectors.leak_by_month(arrived["district"], [2026])[2026]
    assert (by_month[0].arrivals, by_month[0].uncovered, by_month[0].rate) == (1, 0, Decimal("0.0"))
    assert (by_month[1].arrivals, by_month[1].uncovered, by_month[1].rate) == (11, 5, Decimal("45.5"))
    assert by_month[2].rate is None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT month, SUM(count), SUM(CASE WHEN covered THEN 0 ELSE count END) FROM monitor_arrivalmonth "
            "WHERE district_id = %s AND year = 2026 GROUP BY month ORDER BY month",
            [arrived["district"].pk],
        )
        assert [tuple(int(x) for x in row) for row in cursor.fetchall()] == [(1, 1, 0), (2, 11, 5)]


def test_departments_and_streets_that_leak_most(arrived, tree):
    departments, streets = selectors.senders(arrived["district"], 2026, [1, 2])
    by_org = {x.org.code: (x.arrivals, x.uncovered, x.rate) for x in departments + streets}
    # Health: O1 ×2, R1 ×2 covered; O2 and the refused ledger request uncovered. Civil affairs: the
    # January check and the dismissed refusal, both covered. Street 1: the confirmed refusal.
    assert by_org == {
        "WJ": (6, 2, Decimal("33.3")),
        "MZ": (2, 0, Decimal("0.0")),
        "S1": (1, 1, Decimal("100.0")),
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sender_id, SUM(count), SUM(CASE WHEN covered THEN 0 ELSE count END) FROM monitor_arrivalmonth "
            "WHERE district_id = %s AND year = 2026 AND sender_id IS NOT NULL GROUP BY sender_id",
            [arrived["district"].pk],
        )
        raw = {row[0]: (int(row[1]), int(row[2])) for row in cursor.fetchall()}
    assert raw == {tree["health"].pk: (6, 2), tree["civil_affairs"].pk: (2, 0), tree["street1"].pk: (1, 1)}
    top_departments, top_streets = selectors.leakers(arrived["district"], 2026, [1, 2])
    assert [x.org.code for x in top_departments] == ["WJ"]  # civil affairs leaked nothing
    assert [x.org.code for x in top_streets] == ["S1"]


def test_a_refusal_with_a_receipt_is_one_arrival_and_a_dismissed_report_is_no_leak(arrived):
    dismissed, confirmed = arrived["dismissed"], arrived["confirmed"]
    # Both refusals left a receipt and a CheckRecord …
    assert CheckRecord.objects.filter(report__in=[dismissed, confirmed]).count() == 2
    rows = ArrivalMonth.objects.filter(community=arrived["c11"], channel="violation")
    # … and are counted once each: the dismissed one covered, the confirmed one not.
    assert sorted((r.covered, r.count) for r in rows) == [(False, 1), (True, 1)]
    # The report not yet decided and without a receipt waits for the office.
    assert ViolationReport.objects.filter(community=arrived["c11"]).count() == 3
    assert sum(r.count for r in rows) == 2


def test_hours_from_what_arrived_next_to_the_catalog_estimate(arrived):
    months = [1, 2]
    # c11: O1 3 h, R1 5 typed fields × 2 min = 0.17 h, the two refusals at their item's hours or 1 h;
    # O2 and the refused ledger request reached no one and cost nothing.
    c11 = Decimal("3.00") + Decimal("0.17") + _hours(arrived["dismissed"]) + _hours(arrived["confirmed"])
    assert selectors.leak(arrived["c11"], 2026, months).hours == c11
    assert selectors.leak(arrived["c12"], 2026, months).hours == Decimal("3.25")  # O1 + 15 min
    assert selectors.leak(arrived["c21"], 2026, months).hours == Decimal("2.00")  # the check under B1 (2 h)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT SUM(hours) FROM monitor_arrivalmonth WHERE district_id = %s AND year = 2026",
            [arrived["district"].pk],
        )
        total = Decimal(str(cursor.fetchone()[0])).quantize(Decimal("0.01"))
    assert total == c11 + Decimal("3.25") + Decimal("2.00") + Decimal("1.00")  # + street 2's check, 1 h
    assert selectors.leak(arrived["district"], 2026, months).hours == total


def test_an_order_refused_at_the_gate_is_one_uncovered_arrival(arrived, clerk, tree):
    """A refused order keeps its delivery (refused at the gate) and writes no CheckRecord: counted once."""
    before = CheckRecord.objects.count()
    order = orders.order_send(
        actor=clerk, source=tree["health"], kind=ItemKind.TASK, item=None, title="创收", hours=Decimal(1),
        workdays_to_do=3, communities=[arrived["c21"]],
    )  # fmt: skip
    assert CheckRecord.objects.count() == before
    assert order.deliveries.get().state == DeliveryState.REFUSED_AT_GATE
    services.refresh(arrived["district"], [2026])
    march = selectors.leak(arrived["c21"], 2026, [TODAY.month])
    assert (march.arrivals, march.uncovered, march.hours) == (1, 1, Decimal("0.00"))


def _row(body: str, testid: str, attr: str, value: str) -> str:
    """The cells of one row of a table found by its data-testid."""
    table = re.search(rf'data-testid="{testid}".*?</table>', body, re.S).group(0)
    return re.search(rf'<tr {attr}="{value}">(.*?)</tr>', table, re.S).group(1)


def test_the_dashboards_show_the_leak_rate_the_leakers_and_hours_from_what_arrived(client, office, arrived):
    client.force_login(office)
    body = client.get("/monitor/D/", {"year": 2026}).content.decode()
    assert re.findall(r"<td>(.*?)</td>", _row(body, "leak", "data-figure", "leak_rate")) == ["–", "41.7%"]
    assert re.findall(r"<td>(.*?)</td>", _row(body, "leak", "data-figure", "arrivals")) == ["0", "12"]
    hours = selectors.leak(arrived["district"], 2026, [1, 2]).hours
    assert re.findall(r"<td>(.*?)</td>", _row(body, "leak", "data-figure", "arrived_hours"))[1] == str(hours)
    # The catalog's estimate beside it, as the headline table computes it.
    estimate = selectors.summary(arrived["district"], 2026).row("item_hours").current
    assert re.findall(r"<td>(.*?)</td>", _row(body, "leak", "data-figure", "item_hours"))[1] == str(estimate)
    assert "44.4%" in _row(body, "leak-children", "data-org", "S1")
    assert "33.3%" in _row(body, "leak-children", "data-org", "S2")
    leakers = re.search(r'data-testid="leakers".*?</div>\s*</div>', body, re.S).group(0)
    assert re.findall(r'data-org="(\w+)"', leakers) == ["WJ", "S1"]
    # Every sender's leak, not only the worst: civil affairs sent work and leaked none.
    assert "0.0%" in _row(body, "senders", "data-org", "MZ") and "100.0%" in _row(body, "senders", "data-org", "S1")
    assert "45.5%" in _row(body, "leak-months", "data-month", "2")
    # The chart of the leak rate by month exports its table.
    response = client.get("/monitor/D/", {"export": "leak-trend", "year": 2026})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    street = client.get("/monitor/S1/", {"year": 2026}).content.decode()
    assert "50.0%" in _row(street, "leak-children", "data-org", "S1C1")
    assert 'data-testid="leakers"' not in street  # who sends is named to the district's office
    community = client.get("/monitor/S1C1/", {"year": 2026}).content.decode()
    assert re.findall(r"<td>(.*?)</td>", _row(community, "leak", "data-figure", "leak_rate")) == ["–", "50.0%"]


def test_the_annual_report_shows_the_leak_rate(arrived):
    from jianfu.monitor import report

    built = report.build(arrived["district"], 2026)
    tables = {b.table.name: b.table for b in report.blocks(built) if b.kind == "table"}
    leak = {row[0]: row[1:] for row in tables["leak"].rows}
    assert list(leak.values())[2] == ["–", "41.7%"]
    assert list(leak.values())[0] == ["0", "12"]
    streets = {row[0]: row for row in tables["leak-streets"].rows}
    assert streets["第1街道"][1:4] == ["9", "4", "44.4%"]
    assert streets["第2街道"][1:4] == ["3", "1", "33.3%"]
    assert tables["leak-months"].rows[1][1:3] == ["0.0%", "45.5%"]
    assert [row[0] for row in tables["leakers"].rows] == ["卫健局", "第1街道"]
    assert tables["leakers"].rows[0][1:] == ["6", "2", "33.3%"]
    html = report.html(built)
    assert 'data-name="leak"' in html and "41.7%" in html


def test_the_public_community_page_shows_its_own_rate_and_names_no_sender(client, arrived):
    body = client.get("/portal/community/S1C1/").content.decode()
    public = re.search(r'data-testid="public-leak".*?</table>', body, re.S).group(0)
    assert re.findall(r"<td>(.*?)</td>", _row(public, "public-leak", "data-figure", "leak_rate")) == ["–", "50.0%"]
    assert "卫健局" not in public and "第1街道" not in public and "民政局" not in public
    # The district's front page has no community's rate.
    assert 'data-testid="public-leak"' not in client.get("/portal/").content.decode()


def test_a_year_of_arrivals_is_computed_in_seven_queries_whatever_the_size(arrived, django_assert_num_queries):
    from jianfu.monitor import arrivals

    # The orgs, then one query per source: orders, ledger, cases, certificates, checks, violations.
    with django_assert_num_queries(7):
        rows = arrivals.year_rows(arrived["district"], 2026, [1, 2, 3])
    assert sum(r.count for r in rows) == 12


def test_a_new_arrival_marks_its_month_and_the_next_refresh_counts_it(arrived, tree, clerk, community_worker, office):
    """Orders, refusals, reports and their decisions change what arrived: each service marks the month
    (core.dirty) so that refresh_dirty — not only a full recompute — brings the leak up to date."""
    district, c11 = arrived["district"], arrived["c11"]
    DirtyMonth.objects.all().delete()
    before = selectors.leak(c11, 2026, [3])
    assert (before.arrivals, before.uncovered) == (0, 0)
    orders.order_send(
        actor=clerk, source=tree["health"], kind=ItemKind.TASK, item=None, title="帮忙招商", hours=Decimal(2),
        workdays_to_do=5, communities=[c11],
    )  # fmt: skip
    assert set(DirtyMonth.objects.values_list("year", "month")) == {(2026, 3)}
    services.refresh_dirty(district)
    assert not DirtyMonth.objects.exists()
    report = gate_arrivals.refuse(
        actor=community_worker, community=c11, department=tree["street1"], what="要求社区每天上报巡查照片",
        arrived_on=dt.date(2026, 3, 2),
    )  # fmt: skip
    assert set(DirtyMonth.objects.values_list("year", "month")) == {(2026, 3)}
    services.refresh_dirty(district)
    access.violation_decide(actor=office, report=report, confirm=True, note="未经准入")
    assert set(DirtyMonth.objects.values_list("year", "month")) == {(2026, 3)}
    services.refresh_dirty(district)
    after = selectors.leak(c11, 2026, [3])
    assert (after.arrivals, after.uncovered) == (2, 2)  # the order refused at the gate and the confirmed report


def test_the_upgrade_marks_every_month_with_figures_for_recomputation(small):
    """After the upgrade, past years get their arrivals and whole meetings at the next refresh: the
    data migration marks every begun month of every year a district has figures for."""
    migration = importlib.import_module("jianfu.monitor.migrations.0005_recompute_for_arrivals")
    district = small["district"]
    services.refresh(district, [2025, 2026])
    DirtyMonth.objects.all().delete()
    migration.mark_every_month(django_apps, None)
    assert sorted(DirtyMonth.objects.filter(district=district.pk).values_list("year", "month")) == [
        *((2025, m) for m in range(1, 13)),
        (2026, 1),
        (2026, 2),
        (2026, 3),
    ]  # today is 16 March 2026 (conftest)
    assert services.refresh_dirty(district) == 15 and not DirtyMonth.objects.exists()
