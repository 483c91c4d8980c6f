"""The scale generator at the test sizes ("tiny": the city's shape with two districts; "tiny-nation"):
the rows follow the size constants, satisfy the models' invariants, agree with what the apps
themselves compute from them, come out the same for the same seed, and the pages work on them."""

import datetime as dt
import hashlib
import io
import json
import math

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from jianfu.cases.models import Case, CaseEvent, CaseKind
from jianfu.catalog.models import ENTERING, CatalogEntry, CatalogVersion, WorkItem
from jianfu.certificates.models import Certificate, CertificateRequest, RequestState, SealUse
from jianfu.core import clock
from jianfu.core.models import Sequence
from jianfu.evaluation.models import Ballot, BallotScore, Result
from jianfu.ledger import values
from jianfu.ledger.models import Aggregate, DataElement, Submission, Value
from jianfu.monitor import services as monitor_services
from jianfu.monitor.models import CommunityMonth, DepartmentMonth
from jianfu.orgs.models import ALLOWED_PARENT_KINDS, Membership, Org, OrgKind, User
from jianfu.scale import sizes

TINY = sizes.SCALES["tiny"]
TINY_NATION = sizes.SCALES["tiny-nation"]
MONTHS = len(sizes.MONTHS)
KEY_TABLES = [
    Org,
    User,
    Membership,
    WorkItem,
    CatalogEntry,
    DataElement,
    Value,
    Aggregate,
    Submission,
    Case,
    CaseEvent,
    CertificateRequest,
    Certificate,
    Ballot,
    BallotScore,
    Result,
    CommunityMonth,
    DepartmentMonth,
]


def _generate(scale: str, *, seed: int = sizes.DEFAULT_SEED, summary=None) -> None:
    options = {"scale": scale, "seed": seed, "fresh": True, "stdout": io.StringIO()}
    if summary:
        options["summary"] = summary
    call_command("generate_scale", **options)


def _checksums() -> dict[str, tuple[int, str]]:
    out = {}
    for model in KEY_TABLES:
        fields = [f.attname for f in model._meta.concrete_fields]
        digest = hashlib.sha256()
        rows = model.objects.order_by("pk").values_list(*fields)
        for row in rows:
            digest.update(repr(row).encode())
        out[model._meta.label] = (rows.count(), digest.hexdigest())
    return out


def _schema() -> dict[str, dict]:
    """Indexes and constraints of the tables loaded in bulk (their keys and indexes are dropped and rebuilt)."""
    with connection.cursor() as cursor:
        return {
            model._meta.db_table: connection.introspection.get_constraints(cursor, model._meta.db_table)
            for model in (Value, Case, CaseEvent, Ballot, BallotScore, CommunityMonth, Org)
        }


@pytest.fixture(scope="module")
def tiny(django_db_setup, django_db_blocker, tmp_path_factory):
    """The tiny city generated once for this module's tests (which roll back their own changes)."""
    path = tmp_path_factory.mktemp("scale") / "summary.json"
    with django_db_blocker.unblock():
        schema = _schema()
        _generate("tiny", summary=path)
    yield json.loads(path.read_text()) | {"schema_before": schema}
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)
        ContentType.objects.clear_cache()


@pytest.fixture
def at_generated_now(monkeypatch):
    """Business rules see the generated world's "now" (2026-10-31), whatever today is."""
    moment = timezone.make_aware(dt.datetime.combine(sizes.TODAY, dt.time(18)))
    monkeypatch.setattr(clock, "today", lambda: sizes.TODAY)
    monkeypatch.setattr(clock, "now", lambda: moment)


def test_the_city_and_nation_sizes_reach_the_benchmark_targets():
    city, nation, district = sizes.SCALES["city"], sizes.SCALES["nation"], sizes.SCALES["district"]
    assert city.communities == 3_500 and city.grids == 20_000 and city.departments == 1_000
    assert 12 <= city.districts <= 16
    # Overlap detection searches the 2026 items of every district (in force or on the negative list).
    assert city.items_per_district * city.districts >= 10_000
    assert city.elements_per_district * city.districts >= 100_000
    assert city.valued_elements * city.communities * len(sizes.VALUE_MONTHS) == 1_260_000
    assert city.service_cases_per_community * city.communities == pytest.approx(200_000, rel=0.01)
    assert nation.communities == 120_000 and not nation.full and nation.grids == 0
    assert (district.districts, district.communities, district.grids, district.departments) == (1, 200, 1_200, 60)
    assert len(sizes.MONTHS) == 22 and len(sizes.VALUE_MONTHS) == 12


def test_it_writes_what_the_sizes_say(tiny, db):
    kinds = {k: Org.objects.filter(kind=k).count() for k in OrgKind.values}
    assert kinds[OrgKind.DISTRICT] == TINY.districts
    assert kinds[OrgKind.STREET] + kinds[OrgKind.TOWN] == TINY.streets
    assert kinds[OrgKind.COMMUNITY] == TINY.communities
    assert kinds[OrgKind.GRID] == TINY.grids
    assert kinds[OrgKind.DEPARTMENT] + kinds[OrgKind.GROUP_ORG] == TINY.departments
    in_force = WorkItem.objects.filter(WorkItem.in_force_q(sizes.TODAY)).count()
    assert in_force + WorkItem.objects.filter(category="negative").count() == TINY.items_per_district * TINY.districts
    assert DataElement.objects.count() == TINY.elements_per_district * TINY.districts
    assert Value.objects.count() == TINY.valued_elements * TINY.communities * len(sizes.VALUE_MONTHS)
    assert Case.objects.filter(kind=CaseKind.SERVICE).count() == TINY.service_cases_per_community * TINY.communities
    assert Case.objects.filter(kind=CaseKind.EVENT).count() == TINY.event_cases_per_community * TINY.communities
    assert 0 < CertificateRequest.objects.count() <= TINY.certificate_requests_per_community * TINY.communities
    assert CommunityMonth.objects.count() == TINY.communities * MONTHS
    assert DepartmentMonth.objects.exists() and Ballot.objects.exists() and Result.objects.exists()
    # Every district has its catalog of both years, frozen from its items in force.
    for district in Org.objects.filter(kind=OrgKind.DISTRICT):
        for year in (sizes.BASELINE_YEAR, sizes.CURRENT_YEAR):
            version = CatalogVersion.objects.get(district=district, year=year)
            items = WorkItem.objects.filter(year=year, category__in=ENTERING, department__parent=district)
            assert set(version.entries.values_list("item_id", flat=True)) == set(items.values_list("pk", flat=True))


def test_the_org_tree_holds_its_invariants(tiny, db):
    orgs = {o.pk: o for o in Org.objects.all()}
    for org in orgs.values():
        if org.parent_id is None:
            assert org.kind == OrgKind.DISTRICT
            assert (org.path, org.depth) == (f"/{org.pk}/", 0)
            continue
        parent = orgs[org.parent_id]
        assert parent.kind in ALLOWED_PARENT_KINDS[org.kind], org.code
        assert org.path == f"{parent.path}{org.pk}/"
        assert org.depth == parent.depth + 1 == org.path.count("/") - 2
        assert org.code.startswith(parent.code if org.kind != OrgKind.DEPARTMENT else orgs[org.district_id].code)
        assert orgs[org.district_id].kind == OrgKind.DISTRICT
    # Every role is held where it may be held, and the generated accounts share one known password.
    for membership in Membership.objects.select_related("org"):
        from jianfu.orgs.models import ROLE_ORG_KINDS

        assert membership.org.kind in ROLE_ORG_KINDS[membership.role]
    assert User.objects.get(username=tiny["login"]["office"]).check_password(sizes.PASSWORD)


def test_bulk_loads_leave_every_index_and_foreign_key_in_place(tiny, db):
    assert _schema() == tiny["schema_before"]


def test_ledger_roll_ups_equal_a_rebuild_from_the_values(tiny, db):
    fields = ("element_id", "org_id", "period", "total", "count")
    written = set(Aggregate.objects.values_list(*fields))
    for district in Org.objects.filter(kind=OrgKind.DISTRICT):
        values.rebuild(district)
    assert written == set(Aggregate.objects.values_list(*fields))
    # Accepted submissions lock the values they reported (the first acceptance wins) and quote them.
    locked = Value.objects.filter(locked_by__isnull=False).select_related("element", "locked_by__request")
    assert locked.exists()
    for value in locked:
        submission = value.locked_by
        assert submission.state == "accepted" and submission.community_id == value.org_id
        assert submission.request.period == value.period
        assert submission.data[value.element.code]["value"] == value.text


def test_monitor_rows_equal_what_the_monitor_computes(tiny, db, at_generated_now):
    fields = [f.attname for f in CommunityMonth._meta.concrete_fields if f.attname not in ("id", "computed_at")]
    written = {row[:6]: row for row in CommunityMonth.objects.values_list(*fields)}
    departments = set(DepartmentMonth.objects.values_list("department_id", "year", "month", "dispatched", "points"))
    for district in Org.objects.filter(kind=OrgKind.DISTRICT):
        monitor_services.refresh(district, [sizes.BASELINE_YEAR, sizes.CURRENT_YEAR], today=sizes.TODAY)
    assert written == {row[:6]: row for row in CommunityMonth.objects.values_list(*fields)}
    assert departments == set(
        DepartmentMonth.objects.values_list("department_id", "year", "month", "dispatched", "points")
    )


def test_every_case_history_replays_to_the_case_state(tiny, db):
    events: dict[int, list] = {}
    for case_id, action, before, after, at in CaseEvent.objects.order_by("at", "pk").values_list(
        "case_id", "action", "from_state", "to_state", "at"
    ):
        events.setdefault(case_id, []).append((action, before, after, at))
    cases = Case.objects.all()
    assert cases.count() == len(events)
    for case in cases:
        history = events[case.pk]
        assert history[0][:2] == ("report", "")
        for previous, step in zip(history, history[1:], strict=False):
            assert step[1] == previous[2], case.number
        assert history[-1][2] == case.state
        assert case.reported_at == history[0][3] and case.updated_at == history[-1][3]
        assert all(e[3] <= clock.now() or e[3] <= timezone.make_aware(dt.datetime(2026, 10, 31, 18)) for e in history)
    # Numbers continue where the generated ones stop.
    for key, value in Sequence.objects.filter(key__startswith="FW").values_list("key", "value"):
        assert Case.objects.filter(number__startswith=f"{key}-").count() == value


def test_every_issued_certificate_has_its_serial_and_seal(tiny, db):
    issued = CertificateRequest.objects.filter(state=RequestState.ISSUED)
    assert issued.exists()
    assert Certificate.objects.count() == issued.count() == SealUse.objects.count()
    assert not CertificateRequest.objects.filter(state=RequestState.REDIRECTED, person__isnull=False).exists()
    for certificate in Certificate.objects.select_related("request", "community")[:20]:
        assert certificate.serial.startswith(f"ZM{certificate.community.code}-{certificate.issued_on.year}-")
        assert certificate.request.decided_on == certificate.issued_on


def test_the_catalog_and_the_office_dashboard_render_on_the_data(tiny, db, client, at_generated_now):
    first = tiny["first_district"]
    response = client.get(reverse("catalog:home"), follow=True)
    assert response.status_code == 200
    item = WorkItem.objects.filter(year=sizes.CURRENT_YEAR, category="duty", department__parent_id=first["id"]).first()
    assert item.name in response.content.decode()

    client.force_login(User.objects.get(username=tiny["login"]["office"]))
    response = client.get(reverse("monitor:dashboard", args=[first["code"]]))
    assert response.status_code == 200
    assert first["name"] in response.content.decode()

    # A community worker signs in with the one known password and reads their own dashboard.
    client.logout()
    login = {"username": tiny["login"]["community"], "password": sizes.PASSWORD}
    assert client.post(reverse("login"), login).status_code == 302
    assert client.get(reverse("monitor:dashboard", args=[tiny["login"]["community_org"]])).status_code == 200


def test_the_summary_names_what_a_benchmark_needs(tiny):
    assert tiny["scale"] == "tiny" and tiny["seed"] == sizes.DEFAULT_SEED
    assert tiny["login"]["password"] == sizes.PASSWORD
    assert tiny["login"]["office"] == f"office-{tiny['first_district']['code']}-1"
    assert [d["code"] for d in tiny["districts"]] == ["990101", "990102"]
    assert tiny["totals"]["communities"] == TINY.communities
    assert tiny["total_rows"] == sum(tiny["rows"].values()) > 0
    assert tiny["periods"]["ledger_values"][0] == "2025-11" and len(tiny["periods"]["monitor_months"]) == MONTHS


def test_it_refuses_to_mix_with_existing_data(tiny, db):
    before = Org.objects.count()
    with pytest.raises(CommandError, match="--fresh"):
        call_command("generate_scale", scale="tiny", stdout=io.StringIO())
    with pytest.raises(CommandError, match="未知的规模"):
        call_command("generate_scale", scale="galaxy", stdout=io.StringIO())
    assert Org.objects.count() == before


def test_the_same_seed_gives_the_same_rows(tiny, db):
    first = _checksums()
    _generate("tiny")
    assert _checksums() == first
    _generate("tiny", seed=7)
    other = _checksums()
    assert other["orgs.Org"][0] == first["orgs.Org"][0] and other["orgs.Org"][1] != first["orgs.Org"][1]
    ContentType.objects.clear_cache()


def test_the_nation_is_an_org_tree_with_monthly_figures(tiny, db):
    _generate("tiny-nation")
    assert not WorkItem.objects.exists() and not Case.objects.exists()
    districts = list(Org.objects.filter(kind=OrgKind.DISTRICT).order_by("code"))
    assert len(districts) == TINY_NATION.districts
    # Provinces and cities live in the districts' administrative codes (PPCCDD).
    assert {d.code[:2] for d in districts} == {"11", "12"}
    per_city = {}
    for d in districts:
        per_city[d.code[:4]] = per_city.get(d.code[:4], 0) + 1
    assert max(per_city.values()) <= TINY_NATION.districts_per_city
    assert (
        len(per_city) >= math.ceil(TINY_NATION.districts / TINY_NATION.provinces / TINY_NATION.districts_per_city) * 2
    )
    assert Org.objects.filter(kind=OrgKind.COMMUNITY).count() == TINY_NATION.communities
    assert CommunityMonth.objects.count() == TINY_NATION.communities * MONTHS
    # The burden index is the monitor's own formula.
    written = dict(CommunityMonth.objects.filter(district=districts[0]).values_list("pk", "burden_index"))
    monitor_services.update_index(districts[0])
    recomputed = dict(CommunityMonth.objects.filter(district=districts[0]).values_list("pk", "burden_index"))
    assert written.keys() == recomputed.keys()
    assert all(abs(written[k] - recomputed[k]) <= 0.1 for k in written)
    ContentType.objects.clear_cache()
