"""Acceptance on a phone, not logged in: a resident asks the self-service check (traditional script
too) and a bank clerk verifies a certificate it was handed, in headless Chromium."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from jianfu.certificates import lists, services
from jianfu.core.crypto import blind_index, id_check_char
from jianfu.demo import catalog as catalog_demo
from jianfu.demo import certificates as certificates_demo
from jianfu.demo import orgs as orgs_demo
from jianfu.orgs.models import Org, User
from jianfu.registry.models import Person

from .test_browser import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def server(live_server):
    """The demo district's lists and the office's settings (no registry: one person is enough)."""
    orgs_demo.load()
    district = Org.objects.get(code=orgs_demo.DISTRICT[0])
    catalog_demo.load(district)
    certificates_demo.load(district)
    return live_server


def a_certificate():
    community = Org.objects.get(name="古塘社区")
    first17 = "330282198803150012"[:17]
    number = first17 + id_check_char(first17)
    person = Person.objects.create(
        name="孙丽华",
        gender="F",
        birth_date=dt.date(1988, 3, 15),
        id_number=number,
        id_index=blind_index(number, purpose="id_number"),
        community=community,
        org_path=community.path,
        hukou_community=community,
    )
    worker = User.objects.get(username="community")
    item = next(i for i in lists.may_issue_items(Org.objects.get(pk=community.district_id)) if "志愿服务" in i.name)
    made = services.request_create(actor=worker, community=community, item=item, person=person, purpose="升学")
    return services.certificate_issue(actor=worker, request=made, evidence_checked=item.evidence)


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_resident_checks_on_a_phone_and_a_bank_verifies_the_certificate(phone_page, server):
    page = phone_page
    page.goto(server.url)
    page.get_by_role("link", name="证明查询").click()
    assert page.get_by_role("heading", level=1).inner_text() == "社区能开哪些证明？"

    # Traditional script, in a sentence: must not issue, and who does.
    page.get_by_label("对方要求您提供什么证明？").fill("銀行要我去社區開無犯罪記錄證明")
    page.get_by_role("button", name="查询").click()
    result = page.get_by_test_id("check-result")
    expect(result).to_have_attribute("data-decision", "must_not_issue")
    expect(page.get_by_test_id("responsible-body")).to_have_text("公安机关")
    assert "社区不应出具" in result.inner_text() and fits(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "certificate-check-phone.png"), full_page=True)

    # Another name for a listed certificate: may issue, with what to bring and how long.
    page.get_by_label("对方要求您提供什么证明？").fill("居住证明")
    page.get_by_role("button", name="查询").click()
    expect(result).to_have_attribute("data-decision", "may_issue")
    expect(page.get_by_test_id("evidence")).to_contain_text("房屋所有权人书面同意借住声明")
    assert "3 个工作日内答复" in result.inner_text() and fits(page)
    page.get_by_role("link", name="办事指南：依据、用途、流程和样本").click()
    expect(page.locator("main")).to_contain_text("《居住证暂行条例》第九条")  # waits for the guide page

    # The bank clerk scans the QR code: genuine, with nothing personal but a masked name.
    certificate = a_certificate()
    page.goto(f"{server.url}/certificates/verify/")
    page.get_by_label("证明编号").fill(certificate.serial)
    page.get_by_label("验证码").fill(certificate.code.lower())
    page.get_by_role("button", name="核验").click()
    expect(page.get_by_test_id("verify-result")).to_have_attribute("data-status", "genuine")
    expect(page.get_by_test_id("holder")).to_have_text("孙**")
    assert "孙丽华" not in page.content() and fits(page)
