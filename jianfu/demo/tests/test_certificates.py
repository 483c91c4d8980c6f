"""The demo district's certificates: the national first batch on the lists, every item answered right
when asked in free text (simplified and traditional), a year of outcomes and the ≈40 % fall."""

from collections import defaultdict

import opencc
import pytest

from jianfu.audit.services import verify as verify_chain
from jianfu.catalog.models import ItemKind
from jianfu.certificates import lists, selectors
from jianfu.certificates.models import BaselineCount, Certificate, CertificateRequest, RequestState, SealUse
from jianfu.demo import years as demo_years
from jianfu.orgs.models import Org

to_traditional = opencc.OpenCC("s2t").convert


@pytest.fixture
def district(demo_module, db):
    return Org.objects.get(code="330282")


def test_the_lists_hold_the_national_first_batch_with_guides_and_bodies(district):
    found = lists.listed(district)
    assert len(found.may) == 15 and len(found.must_not) == 20
    assert all(i.kind == ItemKind.CERTIFICATE for i in found.may + found.must_not)
    for item in found.may:
        assert all(item.guide.get(k) for k in ("basis", "purpose", "process", "sample")), item
        assert item.days_to_issue > 0 and lists.closed_reason(item, district) is None, item
        assert item.certificate_type.facts_vouched and item.certificate_type.within_duties, item
    for item in found.must_not:
        assert item.responsible_body and "民发〔2020〕20号" in item.legal_basis, item


def test_every_must_not_item_asked_in_free_text_gets_must_not_and_who_does(district, client):
    for item in lists.listed(district).must_not:
        for asked in (f"银行让我到社区开一张{item.name}", to_traditional(f"单位要求提供{item.name}")):
            result = lists.check(asked, district)
            assert result.decision == lists.MUST_NOT and result.item == item, asked
            assert result.responsible_body == item.responsible_body and result.rule == item.legal_basis, asked
        for alias in item.certificate_type.aliases:
            assert lists.check(f"要开{alias}", district).item == item, alias
    api = client.get("/api/v1/certificates/check", {"q": "無犯罪記錄證明"}).json()
    assert api["decision"] == "must_not_issue" and api["responsible_body"] == "公安机关"
    assert (
        client.get("/api/v1/certificates/check", {"q": "亲属关系证明"})
        .json()["responsible_body"]
        .startswith("公安机关")
    )


def test_every_listed_item_asked_in_free_text_gets_may_issue_with_its_evidence(district, client):
    for item in lists.listed(district).may:
        for asked in (f"请社区出具{item.name}", to_traditional(f"我需要{item.name}")):
            result = lists.check(asked, district)
            assert result.decision == lists.MAY and result.item == item and result.closed is None, asked
        api = client.get("/api/v1/certificates/check", {"q": item.name}).json()
        assert api["decision"] == "may_issue" and api["evidence"] == item.evidence and api["guide"] == item.guide
    assert lists.check("居住证明", district).item.name.startswith("借住人员实际居住情况证明")


def test_a_year_of_requests_shows_every_outcome_and_a_forty_per_cent_fall(district):
    states = set(CertificateRequest.objects.values_list("state", flat=True))
    assert {RequestState.ISSUED, RequestState.REFUSED, RequestState.REDIRECTED, RequestState.REQUESTED} <= states
    years = demo_years.years()  # the reform year: this year, or last year in January
    assert BaselineCount.objects.filter(year=years.baseline).exists()
    reduction = selectors.reduction(district, years.reform, years.baseline)
    assert reduction.months and 0.35 <= reduction.fall <= 0.45, reduction
    assert Certificate.objects.filter(by_commitment=True, false_commitment=True, revoked_at__isnull=False).exists()
    assert Certificate.objects.filter(request__deliberation__isnull=False).exists()
    assert SealUse.objects.filter(certificate__isnull=True, revoked_at__isnull=False).exists()
    assert Certificate.objects.count() == SealUse.objects.filter(certificate__isnull=False).count()
    # Serials run per community and year without gaps.
    series = defaultdict(list)
    for community_id, serial in Certificate.objects.values_list("community_id", "serial"):
        prefix, number = serial.rsplit("-", 1)
        series[(community_id, prefix)].append(int(number))
    for numbers in series.values():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))
    assert verify_chain().ok


def test_the_demo_accounts_see_their_part(client, district):
    from jianfu.orgs.models import User

    client.force_login(User.objects.get(username="resident"))
    mine = client.get("/certificates/").content.decode()
    assert "社区志愿服务记录证明" in mine
    client.force_login(User.objects.get(username="office"))
    figures = client.get("/certificates/figures/").content.decode()
    assert "古塘社区" in figures and "旦苑社区" in figures
