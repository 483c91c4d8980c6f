"""The demo 一表通 (read-only checks on the demo district) and the ledger API."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from jianfu.core import clock
from jianfu.ledger import selectors
from jianfu.ledger.models import Aggregate, DataElement, ReportTemplate, Submission, Value
from jianfu.orgs.models import Org, User
from jianfu.orgs.services import token_issue

TENTH_MILLE = Decimal("0.0001")


@pytest.fixture
def demo(demo_module, db):
    return Org.objects.get(code="330282")


def test_the_demo_reports_are_at_least_seventy_percent_filled_automatically(demo, client):
    # In January last year's report built for the reform year's history is retired.
    templates = ReportTemplate.objects.filter(department__parent=demo, retired=False)
    assert templates.count() >= 12
    names = set(templates.values_list("name", flat=True))
    for topic in ("低保", "残疾人", "老人", "流动人口", "房屋", "消防安全"):
        assert any(topic in n for n in names), topic
    community = Org.objects.get(name="古塘社区")
    shares = {}
    for submission in Submission.objects.filter(community=community).select_related("request__version__template"):
        filled, asked = selectors.auto_share(selectors.sheet(submission))
        shares[submission.request.version.template.name] = (filled, asked)
        assert filled / asked >= 0.7, (submission.request.version.template.name, filled, asked)
    assert len(shares) == templates.count()
    # Reports overlap: the same element appears in several of them, kept once.
    assert DataElement.objects.filter(district=demo).count() < sum(a for _f, a in shares.values()) / 2

    client.force_login(User.objects.get(username="community"))
    fire = Submission.objects.get(community=community, request__version__template__name="消防安全隐患排查月报")
    body = client.get(f"/ledger/submissions/{fire.pk}/").content.decode()
    filled, asked = shares["消防安全隐患排查月报"]
    assert f"{filled}/{asked}" in body


def test_demo_aggregates_match_a_raw_sql_sum(demo):
    assert Value.objects.filter(element__district=demo).count() > 5000
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT e.code, v.period, SUM(v.number)
            FROM ledger_value v JOIN ledger_dataelement e ON e.id = v.element_id
            WHERE e.period_type <> 'as_of' AND v.org_path LIKE %s
            GROUP BY e.code, v.period
            """,
            [demo.path + "%"],
        )
        # SQLite sums decimals as floats: compare to the ten-thousandth, the precision values keep.
        raw = {(code, period): Decimal(str(total)).quantize(TENTH_MILLE) for code, period, total in cursor.fetchall()}
    kept = {
        (a.element.code, a.period): a.total.quantize(TENTH_MILLE)
        for a in Aggregate.objects.filter(org=demo).exclude(period="latest").select_related("element")
    }
    assert raw and kept == raw
    months = {p for (code, p) in raw if code == "FIRE_CHECKS"}
    assert len(months) == 12  # a year of monthly values
    element = DataElement.objects.get(district=demo, code="FIRE_CHECKS")
    period = max(months)
    streets = selectors.breakdown(element, demo, period)
    assert sum(n or 0 for _o, n in streets) == selectors.figure(element, demo, period) == raw[("FIRE_CHECKS", period)]


def test_the_ledger_api_answers_with_a_token_and_checks_permissions(demo, client):
    clerk = User.objects.get(username="clerk")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(actor=clerk, user=clerk, name='test')}"}
    elements = client.get("/api/v1/ledger/elements/", **headers).json()
    codes = {e["code"] for e in elements}
    assert {"ALONE_80", "FIRE_CHECKS"} <= codes
    alone = next(e for e in elements if e["code"] == "ALONE_80")
    assert alone["derived"] and alone["derivation"]["tags"] == ["elderly_alone"]
    last_month = f"{clock.today().replace(day=1) - dt.timedelta(days=1):%Y-%m}"  # the demo keeps the last twelve
    figures = client.get(f"/api/v1/ledger/values/?org=330282&period={last_month}", **headers).json()
    fire = next(f for f in figures if f["element"] == "FIRE_CHECKS")
    assert fire["source"] == "aggregate"
    assert Decimal(fire["value"]) == selectors.raw_sum(DataElement.objects.get(code="FIRE_CHECKS"), demo, last_month)
    assert client.get("/api/v1/ledger/requests/", **headers).json() == []  # 卫健局 sent none
    client.force_login(User.objects.get(username="office"))
    requests = client.get("/api/v1/ledger/requests/").json()
    assert {r["template"] for r in requests} >= {"消防安全隐患排查月报", "低保对象动态管理月报"}
    assert all(r["communities"] == 48 for r in requests)
    client.logout()
    assert client.get("/api/v1/ledger/elements/").status_code == 401
    resident = User.objects.get(username="resident")
    client.force_login(resident)
    assert client.get("/api/v1/ledger/elements/").status_code == 403
    grid = User.objects.get(username="grid")
    client.force_login(grid)
    assert client.get(f"/api/v1/ledger/values/?org=330282&period={last_month}").status_code == 403
