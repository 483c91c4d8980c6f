"""The pages and the API through the real stack: the public check and verification (no login), the
PDF whose QR code the test decodes itself, the counter, the seal log, the office's settings."""

import io
import re
from urllib.parse import urlsplit

import pypdfium2
import pytest
import zxingcpp

from jianfu.audit.models import AuditEntry
from jianfu.certificates import services
from jianfu.certificates.models import (
    CertificateRequest,
    CertificateType,
    Dishonesty,
    RequestState,
    ResidentLink,
    SealUse,
)
from jianfu.deliberations.models import Deliberation
from jianfu.registry.models import Person

from .test_services import RESIDENCE_EVIDENCE, request


def issued(tree, cert_lists, worker, person, **how):
    how = how or {"evidence_checked": RESIDENCE_EVIDENCE}
    return services.certificate_issue(
        actor=worker, request=request(worker, tree, cert_lists["residence"], person), **how
    )


def render_pdf(data: bytes) -> tuple[str, list[str]]:
    """The PDF's text and the QR codes found on its rendered first page."""
    pdf = pypdfium2.PdfDocument(data)
    assert len(pdf) == 1, "a certificate is one sheet"
    page = pdf[0]
    text = page.get_textpage().get_text_range()
    image = page.render(scale=3).to_pil()
    return text, [barcode.text for barcode in zxingcpp.read_barcodes(image)]


def test_the_self_check_needs_no_login_and_names_who_issues_it(client, tree, cert_lists):
    page = client.get("/certificates/check/", {"q": "單位要我開無犯罪記錄證明"})
    body = page.content.decode()
    assert page.status_code == 200 and 'data-decision="must_not_issue"' in body
    assert "公安机关" in body and "民发〔2020〕20号" in body
    partial = client.get("/certificates/check/", {"q": "居住证明"}, HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith("<section") and "申请人居民身份证" in partial and "3" in partial
    assert (
        'data-decision="not_listed"' in client.get("/certificates/check/", {"q": "宠物品行良好证明"}).content.decode()
    )
    guide = client.get(f"/certificates/guide/{cert_lists['residence'].code}/").content.decode()
    assert "《居住证暂行条例》第九条" in guide and "上门核实" in guide
    assert client.get(f"/certificates/guide/{cert_lists['unlisted'].code}/").status_code == 404


def test_the_check_api_returns_decision_body_and_rule(client, tree, cert_lists):
    must_not = client.get("/api/v1/certificates/check", {"q": "健在證明"}).json()
    assert must_not["decision"] == "must_not_issue" and must_not["responsible_body"] == "社会保险经办机构"
    assert "民发〔2020〕20号" in must_not["rule"] and must_not["item"]["code"] == "N2"
    may = client.get("/api/v1/certificates/check", {"q": "借住证明"}).json()
    assert may["decision"] == "may_issue" and may["evidence"] == RESIDENCE_EVIDENCE and may["days_to_issue"] == 3
    assert may["notify_and_commit"] is True and may["guide"]["purpose"] == "申领居住证"
    assert client.get("/api/v1/certificates/check", {"q": "火星居留证明"}).json()["decision"] == "not_listed"


def test_the_pdf_carries_serial_code_and_a_qr_that_verifies_it(client, tree, cert_lists, community_worker, people):
    # Issued on a written commitment: the longest certificate, with the commitment printed on it.
    certificate = issued(tree, cert_lists, community_worker, people[0], by_commitment=True)
    client.force_login(community_worker)
    response = client.get(f"/certificates/c/{certificate.serial}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text, codes = render_pdf(response.content)
    assert certificate.serial in text and certificate.code in text and "孙小红" in text
    assert "告知承诺制" in text and "本人承诺确实借住于申报住址" in text
    assert len(codes) == 1
    url = urlsplit(codes[0])
    assert url.path == f"/certificates/verify/{certificate.serial}/" and url.query == f"code={certificate.code}"
    client.logout()
    page = client.get(f"{url.path}?{url.query}")
    body = page.content.decode()
    assert page.status_code == 200 and 'data-status="genuine"' in body
    assert "孙**" in body and "孙小红" not in body and "330" not in body  # nothing personal beyond a masked name
    api = client.get(f"/api/v1/certificates/verify/{certificate.serial}/", {"code": certificate.code}).json()
    assert api["status"] == "genuine" and api["holder"] == "孙**"

    services.certificate_revoke(actor=community_worker, certificate=certificate, reason="材料不实")
    assert 'data-status="revoked"' in client.get(f"{url.path}?{url.query}").content.decode()
    assert client.get(f"/api/v1/certificates/verify/{certificate.serial}/").json()["status"] == "revoked"
    client.force_login(community_worker)
    revoked_text, _ = render_pdf(client.get(f"/certificates/c/{certificate.serial}.pdf").content)
    assert "已撤销" in revoked_text


def test_verification_of_a_made_up_serial_or_a_wrong_code(client, tree, cert_lists, community_worker, people):
    certificate = issued(tree, cert_lists, community_worker, people[0])
    made_up = client.get("/certificates/verify/ZMS1C1-2026-9999/", {"code": "ABCDEFGH"})
    assert made_up.status_code == 404 and 'data-status="not_found"' in made_up.content.decode()
    assert client.get("/api/v1/certificates/verify/NOPE-1/").json()["status"] == "not_found"
    wrong = client.get(f"/certificates/verify/{certificate.serial}/", {"code": "WRONGCOD"}).content.decode()
    assert 'data-status="code_mismatch"' in wrong and "孙" not in wrong
    bare = client.get(f"/certificates/verify/{certificate.serial}/").content.decode()
    assert 'data-status="code_required"' in bare and "孙" not in bare
    typed = client.get("/certificates/verify/", {"serial": certificate.serial.lower(), "code": certificate.code})
    assert typed.status_code == 302 and typed["Location"].endswith(f"{certificate.serial}/?code={certificate.code}")


def test_the_counter_finds_the_person_by_id_number_and_issues_through_the_page(
    client, tree, cert_lists, community_worker, people
):
    client.force_login(community_worker)
    # The ID number is posted, never put in a URL, and the person is shown with it masked.
    page = client.post("/certificates/new/", {"who": people[1].id_number}).content.decode()
    assert "李建国" in page and "孙小红" not in page and people[1].id_number not in page
    assert "330***********" in page and not CertificateRequest.objects.exists()
    by_name = client.post("/certificates/new/", {"who": "王"}, HTTP_HX_REQUEST="true").content.decode()
    assert by_name.lstrip().startswith("<fieldset") and "王伟" in by_name
    response = client.post(
        "/certificates/new/", {"item": cert_lists["residence"].pk, "purpose": "申领居住证", "person": people[1].pk}
    )
    made = CertificateRequest.objects.get()
    assert response.status_code == 302 and made.person == people[1] and made.channel == "counter"
    detail = client.get(f"/certificates/r/{made.number}/").content.decode()
    assert "房屋所有权人书面同意借住声明" in detail and "李建国" in detail
    client.post(
        f"/certificates/r/{made.number}/issue/",
        {"issue-evidence": RESIDENCE_EVIDENCE, "issue-statement": "经核实，李建国借住于古塘花苑1幢101室。"},
    )
    made.refresh_from_db()
    assert made.state == RequestState.ISSUED and made.certificate.statement == "经核实，李建国借住于古塘花苑1幢101室。"
    # A must-not ask at the counter is recorded as redirected, and the worker is told who issues it.
    response = client.post("/certificates/new/", {"item": cert_lists["no_crime"].pk}, follow=True)
    assert "公安机关" in response.content.decode()
    assert CertificateRequest.objects.filter(state=RequestState.REDIRECTED).count() == 1


def test_a_resident_requests_online_and_follows_only_their_own(
    client, tree, cert_lists, resident, community_worker, outsider, people
):
    client.force_login(resident)
    page = client.get("/certificates/new/").content.decode()
    assert "借住人员实际居住情况证明" in page and "无犯罪记录证明" not in page  # residents see what may be issued
    client.post("/certificates/new/", {"item": cert_lists["residence"].pk, "purpose": "申领居住证"})
    mine = CertificateRequest.objects.get()
    other = request(community_worker, tree, cert_lists["residence"], people[2])
    assert client.get(f"/certificates/r/{mine.number}/").status_code == 200
    assert client.get(f"/certificates/r/{other.number}/").status_code == 404
    assert other.number not in client.get("/certificates/").content.decode()
    client.force_login(community_worker)
    client.post(f"/certificates/r/{mine.number}/identify/", {"person": people[0].pk})
    assert ResidentLink.objects.get(user=resident).person == people[0]
    client.force_login(outsider)
    assert client.get(f"/certificates/r/{mine.number}/").status_code == 404
    assert client.post(f"/certificates/r/{mine.number}/refuse/", {"refuse-reason": "x"}).status_code == 404


def test_the_seal_log_page_records_lists_and_exports(client, tree, cert_lists, community_worker, street_worker, people):
    certificate = issued(tree, cert_lists, community_worker, people[0])
    client.force_login(community_worker)
    client.post("/certificates/seals/", {"document": "调解协议书（2026调字第3号）"})
    use = SealUse.objects.get(certificate__isnull=True)
    client.post(f"/certificates/seals/{use.pk}/revoke/", {"reason": "登记错误"})
    use.refresh_from_db()
    assert use.revoke_reason == "登记错误"
    client.force_login(street_worker)  # the street reads, does not record
    page = client.get("/certificates/seals/", {"year": 2026}).content.decode()
    assert certificate.serial in page and "调解协议书" in page
    assert client.post("/certificates/seals/", {"document": "x"}).status_code == 403
    export = client.get("/certificates/seals/export.xlsx", {"year": 2026})
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "日期" and len(rows) == 3 and any(certificate.serial in (r[3] or "") for r in rows)


def test_the_office_configures_types_and_workers_may_not(client, tree, cert_lists, office, community_worker):
    client.force_login(community_worker)
    assert client.get("/certificates/types/").status_code == 403
    client.force_login(office)
    page = client.get("/certificates/types/").content.decode()
    assert "借住人员实际居住情况证明" in page and "公安机关" in page
    response = client.post(
        f"/certificates/types/{cert_lists['owners'].code}/",
        {"aliases": "业委会选举证明\n业委会备案意见", "within_duties": "", "facts_vouched": "选举程序"},
    )
    assert response.status_code == 302
    ctype = CertificateType.objects.get(item=cert_lists["owners"])
    assert ctype.aliases == ["业委会选举证明", "业委会备案意见"] and not ctype.within_duties
    assert "准入办尚未确认" in client.get("/certificates/types/").content.decode()  # closed again
    negative = client.get(f"/certificates/types/{cert_lists['alive'].code}/").content.decode()
    assert 'name="aliases"' in negative and 'name="within_duties"' not in negative
    client.post(f"/certificates/types/{cert_lists['alive'].code}/", {"aliases": "生存证明\n活着证明"})
    assert CertificateType.objects.get(item=cert_lists["alive"]).aliases == ["生存证明", "活着证明"]
    assert AuditEntry.objects.filter(action="certificate_type.configure").exists()


@pytest.mark.parametrize("who", ["office", "street", "community", "resident"])
def test_every_page_of_the_app_renders_for_each_role(client, tree, cert_lists, people, who, request):
    user = request.getfixturevalue({"street": "street_worker", "community": "community_worker"}.get(who, who))
    worker = request.getfixturevalue("community_worker")
    certificate = issued(tree, cert_lists, worker, people[0])
    client.force_login(user)
    pages = ["/certificates/", "/certificates/figures/", "/certificates/seals/", "/portal/records/"]
    if who in ("community", "resident"):
        pages.append("/certificates/new/")
    if who in ("office", "community"):
        pages += ["/certificates/dishonesty/", f"/certificates/r/{certificate.request.number}/"]
    if who == "office":
        pages += ["/certificates/types/", "/certificates/figures/baseline/import/"]
    for url in pages:
        expected = 403 if who == "resident" and url not in ("/certificates/", "/certificates/new/") else 200
        assert client.get(url).status_code == expected, url


def test_deliberations_and_dishonesty_records_are_kept_through_their_pages(
    client, tree, cert_lists, community_worker, outsider, people
):
    client.force_login(community_worker)
    # The certificates' old records page is the one records page now.
    old = client.get("/certificates/deliberations/")
    assert old.status_code == 301 and old["Location"] == "/portal/records/"
    client.post(
        "/portal/records/",
        {
            "kind": "consultation",
            "community": tree["community11"].pk,
            "held_on": "2026-02-27",
            "subject": "业委会选举",
            "agenda": "业委会选举",
            "participants": 25,
            "outcome": "程序合规",
        },
    )
    assert "业委会选举" in client.get("/portal/records/").content.decode()
    owners = request(community_worker, tree, cert_lists["owners"], people[0])
    page = client.get(f"/certificates/r/{owners.number}/").content.decode()
    assert "业委会选举" in page  # offered for the sign-off
    client.post(f"/certificates/r/{owners.number}/sign_off/", {"signoff-deliberation": Deliberation.objects.get().pk})
    owners.refresh_from_db()
    assert owners.signed_off_by == community_worker
    # The dishonesty list names people by ID number; the page shows them masked.
    client.post(
        "/certificates/dishonesty/",
        {"id_number": people[1].id_number, "source": "全国信用信息共享平台", "listed_on": "2026-01-10"},
    )
    assert Dishonesty.objects.get().person == people[1]
    listed = client.get("/certificates/dishonesty/").content.decode()
    assert "李建国" in listed and people[1].id_number not in listed
    client.force_login(outsider)  # another community cannot record it for this person
    client.post(
        "/certificates/dishonesty/",
        {"id_number": people[2].id_number, "source": "全国信用信息共享平台", "listed_on": "2026-01-10"},
    )
    assert Dishonesty.objects.count() == 1


def test_the_dishonesty_records_are_paged_with_their_total(client, tree, community_worker, people):
    client.force_login(community_worker)
    for person in people[:2]:
        client.post(
            "/certificates/dishonesty/",
            {"id_number": person.id_number, "source": "全国信用信息共享平台", "listed_on": "2026-01-10"},
        )
    page = client.get("/certificates/dishonesty/").content.decode()
    assert 'data-testid="total"' in page and ("2 in all" in page or "共 2" in page)


def test_the_counter_offers_only_items_whose_scope_reaches_the_community(
    client, tree, cert_lists, community_worker, people
):
    """Issue 19, point 4: the pages ask the gate for the community at hand, not for the district."""
    item = cert_lists["residence"]
    client.force_login(community_worker)
    option = f'<option value="{item.pk}">'
    assert option in client.get("/certificates/new/").content.decode()
    open_request = request(community_worker, tree, item, people[0])
    item.scope_streets.set([tree["street2"]])
    assert option not in client.get("/certificates/new/").content.decode()
    detail = client.get(f"/certificates/r/{open_request.number}/").content.decode()
    assert "只准入其他街道" in detail and "街道1社区1" in detail


def test_a_name_many_share_is_found_a_page_at_a_time_with_the_total(client, community_worker, people):
    """No silent cut-off: 24 more 王 in the registry (25 with 王伟) are paged by 20, with the total and
    the next page posted like the search (the name never lands in a URL)."""
    first = people[2]
    for n in range(24):
        Person.objects.create(
            name=f"王{n:02d}", gender="M", birth_date=first.birth_date, id_number="", id_index=f"x{n}",
            address=first.address, grid=first.grid, community=first.community, org_path=first.org_path,
        )  # fmt: skip
    client.force_login(community_worker)
    page1 = client.post("/certificates/new/", {"who": "王"}, HTTP_HX_REQUEST="true").content.decode()
    assert page1.count('name="person"') == 20
    assert "25" in page1 and 'data-testid="candidates-pages"' in page1 and '"page": "2"' in page1
    page2 = client.post("/certificates/new/", {"who": "王", "page": "2"}, HTTP_HX_REQUEST="true").content.decode()
    assert page2.count('name="person"') == 5 and '"page": "1"' in page2
    names = set(re.findall(r"> (王\w+) ·", page1 + page2))
    assert len(names) == 25  # every one reachable, none twice
