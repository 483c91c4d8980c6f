"""Figures per type, community and month with the fall against a baseline year; the baseline import
(.xlsx and CSV in UTF-8 or GBK, a bad row changes nothing); serials under concurrent issuing."""

import datetime as dt
import io
import threading

import pytest
from django.db import connection, connections
from openpyxl import Workbook

from jianfu.certificates import selectors, services
from jianfu.certificates.models import BaselineCount, Certificate

from .test_services import RESIDENCE_EVIDENCE, request


def _history(tree, cert_lists, worker, people, frozen):
    """January: 2 issued, 1 refused, 1 redirected; February: 1 issued; March (running): 1 issued."""
    for day, outcome in [
        (dt.date(2026, 1, 5), "issue"),
        (dt.date(2026, 1, 6), "issue"),
        (dt.date(2026, 1, 7), "refuse"),
        (dt.date(2026, 1, 8), "redirect"),
        (dt.date(2026, 2, 2), "issue"),
        (dt.date(2026, 3, 2), "issue"),
    ]:
        frozen(day)
        if outcome == "redirect":
            request(worker, tree, cert_lists["no_crime"])
            continue
        made = request(worker, tree, cert_lists["residence"], people[0])
        if outcome == "issue":
            services.certificate_issue(actor=worker, request=made, evidence_checked=RESIDENCE_EVIDENCE)
        else:
            services.certificate_refuse(actor=worker, request=made, reason="材料不全")
    frozen(dt.date(2026, 3, 2))


def test_figures_count_per_type_community_and_month_and_the_fall_on_whole_months(
    tree, cert_lists, community_worker, people, frozen
):
    _history(tree, cert_lists, community_worker, people, frozen)
    community = tree["community11"]
    for month, n in [(1, 4), (2, 1), (3, 9)]:
        BaselineCount.objects.create(community=community, label="婚姻状况证明", year=2025, month=month, issued=n)
    data = selectors.certificate_figures(tree["district"], 2026)
    assert data["totals"] == {"issued": 4, "refused": 1, "redirected": 1}
    assert [data["by_month"][m]["issued"] for m in (1, 2, 3)] == [2, 1, 1]
    assert data["by_month"][1]["redirected"] == 1 and data["by_month"][1]["refused"] == 1
    # March is still running: January and February are compared with the same months of 2025.
    reduction = data["reduction"]
    assert reduction.months == [1, 2] and (reduction.issued, reduction.baseline) == (3, 5)
    assert reduction.fall == 0.4 and data["change_percent"] == -40
    types = {t["name"]: t for t in data["by_type"]}
    assert types["借住人员实际居住情况证明（申领居住证用）"]["issued"] == 4
    assert types["无犯罪记录证明"]["redirected"] == 1
    assert types["婚姻状况证明"]["baseline"] == 5 and types["婚姻状况证明"]["category"] == ""
    assert [c["name"] for c in data["by_community"]] == ["街道1社区1"]
    # A street of no requests sees none; a past year is compared on all twelve months.
    assert selectors.certificate_figures(tree["street2"], 2026)["totals"]["issued"] == 0
    assert selectors.reduction(community, 2025, 2024).months == list(range(1, 13))


def test_the_figures_page_api_and_export(
    client, tree, cert_lists, community_worker, street_worker, office, people, frozen
):
    _history(tree, cert_lists, community_worker, people, frozen)
    client.force_login(street_worker)
    page = client.get("/certificates/figures/", {"year": 2026}).content.decode()
    assert "第1街道" in page and "街道1社区1" in page
    api = client.get("/api/v1/certificates/figures/", {"year": 2026}).json()
    assert (api["issued"], api["refused"], api["redirected"]) == (4, 1, 1) and api["scope"] == "第1街道"
    assert client.get("/api/v1/certificates/figures/", {"org": "S2C1"}).status_code == 404  # outside their reach
    from openpyxl import load_workbook

    export = client.get("/certificates/figures/export.xlsx", {"year": 2026})
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("证明事项编码", "证明事项") and sum(r[5] for r in rows[1:]) == 4
    client.logout()
    assert client.get("/api/v1/certificates/figures/").status_code == 401


def _xlsx(rows) -> io.BytesIO:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "baseline.xlsx"
    return out


def test_the_office_imports_baseline_counts_from_xlsx_or_gbk_csv_and_a_bad_row_changes_nothing(
    client, tree, cert_lists, office, community_worker, frozen
):
    client.force_login(community_worker)
    assert client.get("/certificates/figures/baseline/import/").status_code == 403
    client.force_login(office)
    header = ["社区编码", "证明名称", "年份", "月份", "开具数量"]
    good = _xlsx([header, ["S1C1", "无犯罪记录证明", 2025, 1, 12], ["街道1社区2", "居住证明（旧）", 2025, 1, 3]])
    response = client.post("/certificates/figures/baseline/import/", {"file": good})
    assert response.status_code == 302
    cells = {c.label: c for c in BaselineCount.objects.all()}
    assert cells["无犯罪记录证明"].item == cert_lists["no_crime"] and cells["无犯罪记录证明"].issued == 12
    assert cells["居住证明（旧）"].item is None and cells["居住证明（旧）"].community == tree["community12"]
    csv = "\n".join(
        [
            ",".join(header),
            "S1C1,无犯罪记录证明,2025,1,15",
            "S9C9,婚姻状况证明,2025,13,-1",
            "S1C1,婚姻状况证明,2031,2,1.5",
        ]
    ).encode("gbk")
    upload = io.BytesIO(csv)
    upload.name = "baseline.csv"
    page = client.post("/certificates/figures/baseline/import/", {"file": upload}).content.decode()
    for where in ("第 3 行", "社区编码", "月份", "开具数量", "第 4 行", "年份"):
        assert where in page, where
    assert BaselineCount.objects.get(label="无犯罪记录证明").issued == 12  # nothing changed
    upload = io.BytesIO("\n".join([",".join(header), "S1C1,无犯罪记录证明,2025,1,15"]).encode("gbk"))
    upload.name = "baseline.csv"
    client.post("/certificates/figures/baseline/import/", {"file": upload})
    assert BaselineCount.objects.get(label="无犯罪记录证明").issued == 15


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="true concurrency needs PostgreSQL (SQLite serialises writers)"
)
def test_serials_stay_unique_per_community_and_year_under_concurrent_issuing(
    tree, cert_lists, community_worker, people, frozen
):
    pending = [request(community_worker, tree, cert_lists["residence"], people[i % len(people)]) for i in range(16)]
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def issue(batch):
        try:
            barrier.wait()
            for made in batch:
                services.certificate_issue(actor=community_worker, request=made, evidence_checked=RESIDENCE_EVIDENCE)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(pending[i::8],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    serials = sorted(Certificate.objects.values_list("serial", flat=True))
    assert serials == [f"ZMS1C1-2026-{n:04d}" for n in range(1, 17)]
