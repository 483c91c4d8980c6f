"""Promises the whole project keeps: no pending migration, every page renders without reaching
another host, every UI string translated, a production-safe security baseline."""

import datetime as dt
import io
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from jianfu.audit.models import AuditEntry
from jianfu.core import clock
from jianfu.core.compile_messages import catalogs
from jianfu.orgs.models import User

EXTERNAL = re.compile(
    r"""(?:src|href|action|srcset|data)\s*=\s*["']?\s*(?:https?:)?//(?!127\.0\.0\.1|localhost)""", re.I
)
CSS_EXTERNAL = re.compile(r"""url\(\s*["']?(?:https?:)?//""", re.I)


# For URLs that take arguments or need a particular role: (arguments, who looks). A new
# parameterised URL must be added here, so that every page is rendered.
def _application(state):
    from jianfu.access.models import Application

    return Application.objects.filter(state=state).values_list("number", flat=True).first()


def _attachment():
    from jianfu.access.models import Attachment

    attachment = Attachment.objects.select_related("application").first()
    return [attachment.application.number, attachment.pk]


def _person():
    from jianfu.registry.models import Person

    return Person.objects.filter(community__name="古塘社区").values_list("pk", flat=True).first()


def _violation():
    from jianfu.access.models import ViolationReport

    return ViolationReport.objects.values_list("number", flat=True).first()


def _ledger(what):
    from jianfu.ledger.models import DataElement, ReportTemplate, Submission

    if what == "element":
        return [DataElement.objects.filter(code="ALONE_80").values_list("pk", flat=True).first()]
    if what == "template":
        return [ReportTemplate.objects.filter(name="消防安全隐患排查月报").values_list("pk", flat=True).first()]
    return [Submission.objects.filter(community__name="古塘社区").values_list("pk", flat=True).first()]


def _survey():
    from jianfu.ledger.services import survey_import
    from jianfu.orgs.models import Org

    data = (Path(settings.BASE_DIR) / "tests" / "data" / "xlsform" / "elderly_survey_zh.xlsx").read_bytes()
    clerk = User.objects.get(username="clerk")
    department = Org.objects.get(name="市卫生健康局")
    return [survey_import(actor=clerk, department=department, data=data, file_name="elderly_survey_zh.xlsx").pk]


def _certificate(what):
    from jianfu.catalog.models import WorkItem
    from jianfu.certificates.models import Certificate

    if what == "guide":
        listed = WorkItem.objects.filter(kind="certificate", category="certificate", list_versions__isnull=False)
        return listed.values_list("code", flat=True).first()
    certificate = Certificate.objects.filter(community__name="古塘社区").select_related("request").first()
    return certificate.serial if what == "serial" else certificate.request.number


def _evaluation(direction, state="released", target=""):
    from jianfu.evaluation.models import Campaign

    campaign = Campaign.objects.filter(direction=direction, state=state).first()
    if target:
        return [campaign.pk, campaign.targets.get(name=target).pk]
    return [campaign.pk]


def _case(kind):
    from jianfu.cases.models import Case

    cases = Case.objects.filter(kind=kind)
    return (cases.filter(matter__public=True) if kind == "event" else cases).values_list("number", flat=True).first()


def _deliberation(published: bool):
    from jianfu.deliberations.models import Deliberation

    records = Deliberation.objects.filter(community__name="古塘社区", published_at__isnull=not published)
    return [records.values_list("pk", flat=True).first()]


def _order(refused: bool):
    from jianfu.orders.models import Delivery

    deliveries = Delivery.objects.filter(state="refused_by_community") if refused else Delivery.objects.all()
    row = deliveries.order_by("pk").values_list("order__number", "community__code").first()
    return list(row) if refused else [row[0]]


def _plaque():
    from jianfu.catalog.models import Plaque

    return list(Plaque.objects.filter(community__code="330282002001").values_list("community__code", "pk")[0])


SAMPLES = {
    "catalog:plaques_community": (lambda: ["330282002001"], "community"),
    "catalog:plaque": (_plaque, "community"),
    "orders:detail": (lambda: _order(refused=False), "office"),
    "orders:new": (lambda: [], "clerk"),
    "orders:receipt": (lambda: _order(refused=True), "community"),
    "portal:community": (lambda: ["330282002001"], "office"),
    "portal:deliberation": (lambda: _deliberation(published=True), "office"),
    "portal:record": (lambda: _deliberation(published=False), "community"),
    "cases:report": (lambda: [], "grid"),
    "cases:grid": (lambda: [], "grid"),
    "cases:whistle": (lambda: [], "community"),
    "cases:service": (lambda: ["SX001"], "office"),
    "cases:apply": (lambda: ["SX001"], "community"),
    "cases:detail": (lambda: [_case("event")], "office"),
    "open311:discovery": (lambda: ["json"], "office"),
    "open311:services": (lambda: ["xml"], "office"),
    "open311:service": (lambda: ["CG01", "json"], "office"),
    "open311:requests": (lambda: ["json"], "office"),
    "open311:request": (lambda: [_case("event"), "xml"], "office"),
    "evaluation:detail": (lambda: _evaluation("department", "open"), "community"),
    "evaluation:edit": (lambda: _evaluation("department", "open"), "office"),
    "evaluation:indicators": (lambda: _evaluation("department", "open"), "office"),
    "evaluation:targets": (lambda: _evaluation("department", "open"), "office"),
    "evaluation:rate": (lambda: _evaluation("department", "open"), "community"),
    "evaluation:codes": (lambda: _evaluation("community"), "community"),
    "evaluation:results": (lambda: _evaluation("community"), "office"),
    "evaluation:results_xlsx": (lambda: _evaluation("department"), "office"),
    "evaluation:report_pdf": (lambda: _evaluation("department"), "office"),
    "evaluation:target": (lambda: _evaluation("department", target="市卫生健康局"), "clerk"),
    "evaluation:comments": (lambda: _evaluation("department", "open"), "office"),
    "evaluation:year_end": (lambda: _evaluation("department"), "office"),
    "evaluation:year_end_template": (lambda: _evaluation("department"), "office"),
    "evaluation:public_results": (lambda: _evaluation("community"), "resident"),
    "ledger:element": (lambda: _ledger("element"), "office"),
    "ledger:template": (lambda: _ledger("template"), "office"),
    "ledger:template_export": (lambda: _ledger("template"), "office"),
    "ledger:submission": (lambda: _ledger("submission"), "community"),
    "ledger:submission_export": (lambda: _ledger("submission"), "community"),
    "ledger:import": (lambda: [], "community"),
    "ledger:survey": (lambda: _survey(), "clerk"),
    "orgs:detail": (lambda: ["330282002001"], "office"),
    "access:detail": (lambda: [_application("consultation")], "office"),
    "access:edit": (lambda: [_application("draft")], "clerk"),
    "access:new": (lambda: [], "clerk"),
    "access:attachment": (lambda: _attachment(), "clerk"),
    "access:check": (lambda: [], "community"),
    "access:violation": (lambda: [_violation()], "office"),
    "access:receipt": (lambda: [_violation()], "community"),
    "access:decision_document": (lambda: [_application("approved")], "office"),
    "access:review_duties": (lambda: [], "office"),
    "catalog:year": (lambda: [clock.today().year], "office"),
    "registry:person": (lambda: [_person()], "community"),
    "registry:grid": (lambda: [], "grid"),
    "catalog:export_xlsx": (lambda: [clock.today().year], "office"),
    "catalog:export_docx": (lambda: [clock.today().year], "office"),
    "catalog:export_pdf": (lambda: [clock.today().year], "office"),
    "catalog:list": (lambda: ["duty"], "office"),
    "catalog:list_export": (lambda: ["negative"], "office"),
    "catalog:list_import": (lambda: ["duty"], "office"),
    "catalog:list_publish": (lambda: ["duty"], "office"),
    "catalog:item_cancel": (lambda: [_certificate("guide")], "office"),
    "certificates:guide": (lambda: [_certificate("guide")], "office"),
    "certificates:type_edit": (lambda: [_certificate("guide")], "office"),
    "certificates:verify": (lambda: [_certificate("serial")], "office"),
    "certificates:pdf": (lambda: [_certificate("serial")], "community"),
    "certificates:request": (lambda: [_certificate("request")], "community"),
    "certificates:new": (lambda: [], "community"),
    "monitor:dashboard": (lambda: ["330282"], "office"),
    "monitor:standards": (lambda: ["330282"], "office"),
    "monitor:workload": (lambda: ["330282"], "office"),
    "monitor:report": (lambda: ["330282", clock.reporting_year(), "pdf"], "office"),
}
POST_ONLY = {
    "ledger:element_activate",
    "ledger:template_action",
    "ledger:submission_action",
    "logout",
    "set_language",
    "access:action",
    "access:opinion",
    "access:refuse",
    "orders:action",
    "access:attach",
    "catalog:publish",
    "registry:reveal",
    "registry:person_edit",
    "registry:export_decide",
    # A file download that exists only after the office approved an export: test_exports covers it.
    "registry:export_download",
    "cases:action",
    # Demo cases carry no photos (they are optional): cases/tests/test_views.py fetches one.
    "cases:photo",
    "certificates:action",
    "certificates:revoke",
    "certificates:seal_revoke",
    "evaluation:action",
    "evaluation:rate_target",
    "evaluation:codes_issue",
    "evaluation:vote_submit",
    "evaluation:comment_moderate",
    "portal:record_action",
    "monitor:refresh",
    # A file download that exists only once the office published a list with minutes attached:
    # catalog/tests/test_list_year.py fetches one.
    "catalog:list_minutes",
}


def test_no_migration_is_pending(db):
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)


def _named_urls(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            if ns.startswith("admin:") or ns.startswith("api"):
                continue
            yield from _named_urls(p, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}"


@pytest.fixture
def demo(demo_module, db):
    """The demo district, loaded once for this module (see conftest.demo_module)."""


def test_every_page_renders_and_references_no_external_host(client, demo):
    urls = []
    for name in sorted(set(_named_urls())):
        if name in POST_ONLY:
            continue
        args, who = SAMPLES.get(name, (lambda: [], "office"))
        urls.append((reverse(name, args=args()), who))
    extra = [
        "/admin/",
        "/admin/orgs/org/",
        "/admin/orgs/user/",
        "/admin/audit/auditentry/",
        "/admin/catalog/workitem/",
        "/admin/registry/tag/",
    ]
    extra += [
        "/api/schema/",
        "/api/v1/orgs/",
        f"/api/v1/catalog/{clock.today().year}/",
        "/api/v1/catalog/",
        "/api/v1/lists/",
        "/api/v1/lists/negative/",
    ]
    extra += ["/api/v1/applications/"]
    extra += ["/api/v1/plaques/?community=330282002001&kind=wall"]
    extra += ["/api/v1/certificates/check?q=居住证明", "/api/v1/certificates/figures/"]
    extra += ["/api/v1/ledger/elements/", "/api/v1/ledger/requests/", "/api/v1/ledger/cap/330282/"]
    last_month = clock.today().replace(day=1) - dt.timedelta(days=1)
    extra += [f"/api/v1/ledger/values/?org=330282&period={last_month:%Y-%m}"]
    extra += ["/api/v1/evaluation/campaigns/", "/admin/evaluation/campaign/"]
    urls += [(url, "office") for url in extra]
    for url, who in urls:
        client.force_login(User.objects.get(username=who))
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if response["Content-Type"].startswith(("text/html", "application/json")):
            text = body.decode()
            # Match attributes, not substrings: a random CSRF token once contained "cdn".
            assert not EXTERNAL.search(text), f"{url} references another host"
    # The anonymous home and login pages too.
    client.logout()
    for url in ("/", "/accounts/login/"):
        assert not EXTERNAL.search(client.get(url).content.decode())


def test_served_static_files_fetch_nothing_from_elsewhere():
    static_dir = Path(settings.BASE_DIR) / "jianfu" / "static"
    for path in static_dir.rglob("*.css"):
        assert not CSS_EXTERNAL.search(path.read_text()), path


def test_the_home_page_is_chinese_whatever_the_browser_asks(client, db):
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-hans"' in body and "非准不入" in body


def test_the_language_switch_gives_english(client, db):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get("/").content.decode()
    assert 'lang="en"' in body and "Nothing enters a community unapproved" in body


def test_every_ui_string_is_translated_and_compiled():
    for po_path in catalogs():
        po = polib.pofile(str(po_path))
        assert not po.untranslated_entries(), [e.msgid for e in po.untranslated_entries()]
        assert not po.fuzzy_entries(), [e.msgid for e in po.fuzzy_entries()]
        mo = polib.mofile(str(po_path.with_suffix(".mo")))
        assert {(e.msgctxt, e.msgid): e.msgstr for e in po if not e.msgid_plural} == {
            (e.msgctxt, e.msgid): e.msgstr for e in mo if e.msgid and not e.msgid_plural
        }, "run `make messages` to recompile the .mo file"


def test_security_baseline(client, db):
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert "axes.middleware.AxesMiddleware" in settings.MIDDLEWARE
    assert not settings.DEBUG
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"


def test_login_is_throttled_after_five_failures(client, django_user_model, db):
    django_user_model.objects.create_user(username="victim", password="Right-pass-2026")
    for _ in range(5):
        client.post(reverse("login"), {"username": "victim", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "victim", "password": "Right-pass-2026"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_successful_login_with_the_demo_password(client, demo):
    from jianfu.demo.orgs import DEMO_PASSWORD

    response = client.post(reverse("login"), {"username": "community", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get("/").content.decode().count("古塘社区") >= 1


def test_state_changes_are_audited(demo):
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"org.create", "membership.grant"} <= actions


READS_THE_CLOCK = re.compile(
    r"\b(?:date\.today|datetime\.(?:now|today|utcnow)|timezone\.now)\(|\btimezone\.local(?:date|time)\(\)"
)


def test_time_comes_only_from_the_clock_module():
    """Business rules, the demo and the tests read the date through jianfu/core/clock.py, so a shifted
    clock (JIANFU_TEST_NOW, clock.frozen_at) moves all of them; migrations and the scale generator's
    fixed world (jianfu/scale, 2026-10-31) aside."""
    root = Path(settings.BASE_DIR)
    files = [root / "conftest.py", *(root / "jianfu").rglob("*.py"), *(root / "tests").rglob("*.py")]
    allowed = {root / "jianfu" / "core" / "clock.py"}
    found = [
        f"{path.relative_to(root)}:{n}: {line.strip()}"
        for path in files
        if path not in allowed and "migrations" not in path.parts and "scale" not in path.relative_to(root).parts[:2]
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if READS_THE_CLOCK.search(line) and "READS_THE_CLOCK" not in line
    ]
    assert found == []
