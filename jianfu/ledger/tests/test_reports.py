"""Reports assembled from the ledger: the approved-item gate, fill once, the approval chain, locks, caps."""

from decimal import Decimal

import pytest

from jianfu.access.models import CheckRecord
from jianfu.catalog.models import Category, ItemKind
from jianfu.core.errors import DomainError, PermissionDenied
from jianfu.core.tabular import ImportRejected, read_table
from jianfu.ledger import selectors, services
from jianfu.ledger.models import (
    PeriodType,
    ReportRequest,
    SubmissionState,
    TemplateCap,
    ValidationRule,
    Value,
    ValueType,
    VersionState,
)
from jianfu.ledger.services import Entry

from .conftest import PERIOD, element, report_item


def publish(clerk, department, item, name, elements, period_type=PeriodType.MONTHLY):
    template = services.template_create(
        actor=clerk, department=department, item=item, name=name, period_type=period_type, elements=elements
    )
    version = template.versions.get()
    services.version_publish(actor=clerk, version=version)
    return version


def send(clerk, version, community):
    request = services.request_send(actor=clerk, version=version, period=PERIOD, communities=[community])
    return request.submissions.get()


def fill_all(worker, submission, numbers):
    rows = selectors.sheet(submission)
    entries = [
        Entry(r.element, org, str(numbers[r.element.code])) for r in rows for org, cell in r.cells if not cell.text
    ]
    return services.submission_save(actor=worker, submission=submission, entries=entries)


def test_it_refuses_a_report_for_an_item_not_approved_and_in_force(tree, clerk, ten, frozen):
    health = tree["health"]
    cancelled = report_item(health, "L9", "已取消的台账", category=Category.CANCELLED)
    last_year = report_item(health, "L8", "去年的台账", year=2025)
    a_task = report_item(health, "T1", "一项工作任务", kind=ItemKind.TASK)
    for item in (cancelled, last_year, a_task):
        with pytest.raises(DomainError):
            services.template_create(
                actor=clerk,
                department=health,
                item=item,
                name="不应建成的报表",
                period_type=PeriodType.MONTHLY,
                elements=list(ten.values()),
            )
    other = report_item(tree["civil_affairs"], "L7", "民政的台账")
    with pytest.raises(DomainError):
        services.template_create(
            actor=clerk, department=health, item=other, name="x", period_type="monthly", elements=[ten["CLINICS"]]
        )


def test_a_report_reaches_only_communities_within_the_items_approved_scope(tree, clerk, ten, frozen):
    """Issue 19, point 4: an item approved for one street covers nothing else. A send naming a
    community outside the scope is refused whole, before it reaches anyone, naming each such
    community and why; inside it goes; without a list it goes to every community covered."""
    health, inside, outside = tree["health"], tree["community11"], tree["community21"]
    street1 = report_item(health, "L5", "第1街道的台账")
    street1.scope_streets.set([tree["street1"]])
    version = publish(clerk, health, street1, "第1街道月报", list(ten.values()))

    with pytest.raises(DomainError) as refused:
        services.request_send(
            actor=clerk, version=version, period=PERIOD, communities=[inside, outside, tree["community22"]]
        )
    assert refused.value.code == "out_of_scope"
    message = str(refused.value)
    assert "街道2社区1" in message and "街道2社区2" in message and "街道1社区1" not in message
    assert "只准入其他街道" in message and "申请准入" in message
    assert not ReportRequest.objects.exists()  # nothing went out, not even to the community in scope
    # Point 7: the refusal is kept, one arrival for each community refused, with the rule.
    kept = CheckRecord.objects.order_by("org__name")
    assert [(r.channel, r.org, r.sender, r.item, r.kind, r.decision) for r in kept] == [
        ("ledger", tree[c], health, street1, street1.kind, "not_in_force") for c in ("community21", "community22")
    ]
    assert all("只准入其他街道" in r.reason for r in kept)

    assert send(clerk, version, inside).community == inside
    everywhere = services.request_send(actor=clerk, version=version, period="2026-02")
    assert {s.community for s in everywhere.submissions.all()} == {inside, tree["community12"]}


def test_a_report_for_one_type_of_community_is_refused_to_another(tree, clerk, ten, frozen):
    health, commercial, other = tree["health"], tree["community12"], tree["community22"]
    commercial.community_type = "commercial"
    commercial.save()
    only_commercial = report_item(health, "L6", "商品房社区的台账", scope_community_types=["commercial"])
    version = publish(clerk, health, only_commercial, "商品房社区月报", list(ten.values()))
    with pytest.raises(DomainError, match="只准入其他类型的社区"):
        send(clerk, version, other)
    assert send(clerk, version, commercial).community == commercial


def test_the_clerk_who_sends_a_scoped_report_from_the_page_reaches_the_covered_communities_only(
    tree, clerk, ten, frozen, client
):
    health = tree["health"]
    street2 = report_item(health, "L4", "第2街道的台账")
    street2.scope_streets.set([tree["street2"]])
    version = publish(clerk, health, street2, "第2街道月报", list(ten.values()))
    client.force_login(clerk)
    response = client.post(
        f"/ledger/templates/{version.template.pk}/action/",
        {"action": "send", "send-period": PERIOD, "send-due_workdays": 5, "send-note": ""},
        follow=True,
    )
    assert "已下发到 2 个社区" in response.content.decode()
    request = ReportRequest.objects.get(version=version)
    assert {s.community for s in request.submissions.all()} == {tree["community21"], tree["community22"]}


def test_the_second_report_opens_with_the_eight_shared_fields_filled(tree, clerk, community_worker, ten, item, client):
    health, community = tree["health"], tree["community11"]
    codes = list(ten)
    extra = {
        code: element(clerk, health, code, name, items=[item])
        for code, name in [("BEDS", "家庭病床数"), ("VOLUNTEERS", "健康志愿者人数")]
    }
    first = publish(clerk, health, item, "卫生健康月报", [ten[c] for c in codes])
    second_item = report_item(health, "L2", "家庭医生签约服务台账")
    second = publish(clerk, health, second_item, "家庭医生月报", [ten[c] for c in codes[:8]] + list(extra.values()))

    submission = send(clerk, first, community)
    services.submission_open(actor=community_worker, submission=submission)
    assert selectors.auto_share(selectors.sheet(submission)) == (0, 10)
    fill_all(community_worker, submission, {c: i + 1 for i, c in enumerate(codes)})
    services.submission_submit(actor=community_worker, submission=submission)

    later = send(clerk, second, community)
    services.submission_open(actor=community_worker, submission=later)
    later.refresh_from_db()
    assert (later.prefilled_count, later.field_count) == (8, 10)
    client.force_login(community_worker)
    body = client.get(f"/ledger/submissions/{later.pk}/").content.decode()
    assert "8/10" in body
    fill_all(community_worker, later, {"BEDS": 2, "VOLUNTEERS": 9})
    # Burden figures for the monitor: two requests, twenty fields asked, eight filled by the ledger.
    assert selectors.burden_figures(community, 2026, 4) == {
        "requests": 2,
        "fields_asked": 20,
        "fields_prefilled": 8,
        "fields_typed": 12,
        "minutes": 24,
    }


def test_a_submission_goes_up_the_tree_and_the_accepted_period_is_locked(
    tree, clerk, community_worker, street_worker, office, ten, item
):
    health, community = tree["health"], tree["community11"]
    version = publish(clerk, health, item, "卫生健康月报", list(ten.values()))
    submission = send(clerk, version, community)
    fill_all(community_worker, submission, {c: 3 for c in ten})
    with pytest.raises(PermissionDenied):
        services.submission_accept(actor=street_worker, submission=submission)
    services.submission_submit(actor=community_worker, submission=submission)
    with pytest.raises(PermissionDenied):
        services.submission_accept(actor=clerk, submission=submission)  # the street comes first
    services.submission_return(actor=street_worker, submission=submission, comment="慢病随访次数偏低，请核实")
    submission.refresh_from_db()
    assert submission.state == SubmissionState.RETURNED
    services.submission_save(
        actor=community_worker, submission=submission, entries=[Entry(ten["FOLLOWUPS"], community, "12")]
    )
    services.submission_submit(actor=community_worker, submission=submission)
    services.submission_accept(actor=street_worker, submission=submission)
    services.submission_accept(actor=clerk, submission=submission)
    submission.refresh_from_db()
    assert submission.state == SubmissionState.ACCEPTED
    assert submission.data["FOLLOWUPS"]["value"] == "12"
    assert Value.objects.filter(locked_by=submission).count() == 10

    with pytest.raises(DomainError, match="锁定|locked"):
        services.values_save(actor=community_worker, period=PERIOD, entries=[Entry(ten["FOLLOWUPS"], community, "13")])
    # An import into the locked period is refused as a whole, the locked row named.
    sheet = f"数据元编码,组织编码,期间,值\nFOLLOWUPS,{community.code},{PERIOD},13\n"
    with pytest.raises(ImportRejected) as refused:
        services.values_import(actor=community_worker, community=community, table=read_table(sheet.encode()))
    assert [(e.row, e.column) for e in refused.value.errors] == [(2, "值")]
    assert "锁定" in refused.value.errors[0].message or "locked" in refused.value.errors[0].message
    assert Value.objects.get(element=ten["FOLLOWUPS"], org=community, period=PERIOD).text == "12"
    with pytest.raises(PermissionDenied):
        services.submission_unlock(actor=clerk, submission=submission, reason="更正")
    services.submission_unlock(actor=office, submission=submission, reason="街道复核发现随访次数录入错误")
    services.values_save(actor=community_worker, period=PERIOD, entries=[Entry(ten["FOLLOWUPS"], community, "13")])
    steps = list(submission.steps.values_list("action", flat=True))
    assert steps == ["submit", "return", "submit", "street_accept", "accept", "unlock"]


def test_a_submission_breaking_rules_is_refused_with_every_problem_listed(tree, clerk, community_worker, item):
    health, community = tree["health"], tree["community11"]
    resident = element(clerk, health, "RES_HH", "实有住户数", items=[item])
    registered = element(clerk, health, "REG_HH", "户籍户数", items=[item])
    migrant = element(clerk, health, "MIG_HH", "流动人口户数", items=[item])
    rate = element(
        clerk,
        health,
        "SIGN_RATE",
        "家庭医生签约率",
        value_type=ValueType.DECIMAL,
        unit="%",
        aggregation="average",
        max_value=Decimal(100),
    )
    ValidationRule.objects.create(
        district=tree["district"],
        left="RES_HH",
        operator="<=",
        right="REG_HH + MIG_HH",
        message="实有住户数不应超过户籍户数与流动人口户数之和",
    )
    version = publish(clerk, health, item, "住户月报", [resident, registered, migrant, rate])
    submission = send(clerk, version, community)
    with pytest.raises(DomainError) as refused:
        services.submission_save(actor=community_worker, submission=submission, entries=[Entry(rate, community, "120")])
    assert "100" in refused.value.errors[0].message
    services.submission_save(
        actor=community_worker,
        submission=submission,
        entries=[
            Entry(resident, community, "1500"),
            Entry(registered, community, "1000"),
            Entry(migrant, community, "200"),
        ],
    )
    with pytest.raises(DomainError) as refused:
        services.submission_submit(actor=community_worker, submission=submission)
    message = refused.value.message
    assert "实有住户数不应超过户籍户数与流动人口户数之和" in message and "1500" in message
    assert "家庭医生签约率" in message  # still missing: both problems listed at once
    submission.refresh_from_db()
    assert submission.state == SubmissionState.OPEN


def test_a_department_over_its_cap_cannot_publish_another_template(tree, clerk, office, ten, item):
    health = tree["health"]
    services.cap_set(actor=office, department=health, max_templates=1)
    publish(clerk, health, item, "卫生健康月报", [ten["CLINICS"]])
    template = services.template_create(
        actor=clerk, department=health, item=item, name="第二张报表", period_type="monthly", elements=[ten["DOCTORS"]]
    )
    with pytest.raises(DomainError, match="只报一次"):
        services.version_publish(actor=clerk, version=template.versions.get())
    assert TemplateCap.objects.get(department=health).max_templates == 1
    assert selectors.caps_table([health, tree["civil_affairs"]]) == [
        (health, 1, 1, 1),
        (tree["civil_affairs"], 0, 5, None),
    ]
    with pytest.raises(PermissionDenied):
        services.cap_set(actor=clerk, department=health, max_templates=9)


def test_a_published_version_never_changes_and_exports_keep_removed_fields(
    tree, clerk, community_worker, ten, item, client
):
    health, community = tree["health"], tree["community11"]
    v1 = publish(clerk, health, item, "卫生健康月报", [ten["CLINICS"], ten["LECTURES"]])
    with pytest.raises(DomainError):
        services.version_edit(actor=clerk, version=v1, elements=[ten["CLINICS"]])
    first = send(clerk, v1, community)
    fill_all(community_worker, first, {"CLINICS": 2, "LECTURES": 4})
    services.submission_submit(actor=community_worker, submission=first)

    v2 = services.version_new(actor=clerk, template=v1.template)
    services.version_edit(actor=clerk, version=v2, elements=[ten["CLINICS"], ten["MENTAL"]])
    services.version_publish(actor=clerk, version=v2)
    v1.refresh_from_db()
    assert v1.state == VersionState.PUBLISHED and v1.fields.count() == 2
    second = services.request_send(actor=clerk, version=v2, period="2026-04", communities=[community]).submissions.get()
    fill_all(community_worker, second, {"CLINICS": 2, "MENTAL": 7})
    services.submission_submit(actor=community_worker, submission=second)

    client.force_login(clerk)
    response = client.get(f"/ledger/templates/{v1.template.pk}/export.xlsx")
    assert response.status_code == 200
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert "健康讲座场次" in header and "严重精神障碍患者管理人数" in header
    by_version = {row[header.index("版本")]: row for row in rows[1:]}
    assert by_version[1][header.index("健康讲座场次")] == "4"
    assert by_version[2][header.index("健康讲座场次")] in (None, "")
    assert by_version[2][header.index("严重精神障碍患者管理人数")] == "7"


def test_grid_workers_fill_only_their_own_grid(tree, clerk, grid_worker, outsider, item):
    health = tree["health"]
    checks = element(clerk, health, "FIRE_CHECKS", "防火检查次数", level="grid", items=[item])
    version = publish(clerk, health, item, "消防月报", [checks])
    submission = send(clerk, version, tree["community11"])
    services.submission_save(actor=grid_worker, submission=submission, entries=[Entry(checks, tree["grid111"], "4")])
    with pytest.raises(PermissionDenied):
        services.submission_save(
            actor=grid_worker, submission=submission, entries=[Entry(checks, tree["grid112"], "4")]
        )
    with pytest.raises(PermissionDenied):
        services.submission_save(actor=outsider, submission=submission, entries=[Entry(checks, tree["grid111"], "4")])
    row = selectors.sheet(submission)[0]
    assert [cell.text for _org, cell in row.cells] == ["4", ""]
