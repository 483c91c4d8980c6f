"""The permission matrix's cast and targets (tests/test_permission_matrix.py).

Two organisation trees: the demo district 慈溪 (its objects are the targets, made by the apps' own
demo loaders plus a few this module adds) and a sibling district built here, 矩阵区, with one person
per role. Inside 慈溪 a second cast works next door to 古塘社区 — the sibling community 旦苑 (same
street), the other street 浒山 and another department (公安局) — and must not reach 古塘's objects.

Every probe names a URL (or API path), how to build its arguments from the targets, and who must be
refused. The matrix test turns each (actor, probe) pair into one test.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Q

from jianfu.core import clock
from jianfu.orgs.models import Org, OrgKind, Role, User

# ----------------------------------------------------------------------------------------- the cast

# The sibling district: (actor key, role, org key). Every Role is held by someone here.
X_ROLES = [
    ("x-office", Role.OFFICE, "district"),
    ("x-reviewer", Role.REVIEWER, "member_unit"),
    ("x-clerk", Role.CLERK, "department"),
    ("x-street", Role.STREET, "street"),
    ("x-community", Role.COMMUNITY, "community"),
    ("x-grid", Role.GRID, "grid"),
    ("x-resident", Role.RESIDENT, "community"),
]
NOBODY = "nobody"  # signed in, no membership anywhere
ANONYMOUS = "anonymous"
DISTRICT_ACTORS = tuple(key for key, _role, _org in X_ROLES) + (NOBODY, ANONYMOUS)

# Next door to 古塘社区 inside 慈溪: (actor key, role, how to find the org).
LOCAL_ROLES = [
    ("sib-community", Role.COMMUNITY, "sibling"),
    ("sib-grid", Role.GRID, "sibling_grid"),
    ("sib-resident", Role.RESIDENT, "sibling"),
    ("other-street", Role.STREET, "other_street"),
    ("other-clerk", Role.CLERK, "other_department"),
]
LOCAL_ACTORS = tuple(key for key, _role, _org in LOCAL_ROLES)
ALL_ACTORS = DISTRICT_ACTORS + LOCAL_ACTORS
# 古塘's own community worker from the demo: used once, to point its own case at the other district.
B_COMMUNITY = "b-community"

DEMO_DISTRICT = "330282"  # 慈溪 (jianfu.demo.orgs.DISTRICT)
COMMUNITY_NAME = "古塘社区"
SIBLING_NAME = "旦苑社区"
OTHER_STREET_NAME = "浒山街道"
OTHER_DEPARTMENT_NAME = "市公安局"
DEPARTMENT_NAME = "市卫生健康局"


def local(*excluded: str) -> tuple[str, ...]:
    return tuple(a for a in LOCAL_ACTORS if a not in excluded)


X = DISTRICT_ACTORS
XL = ALL_ACTORS
XL_SIGNED_IN = tuple(a for a in ALL_ACTORS if a != ANONYMOUS)


@dataclass
class World:
    users: dict[str, int] = field(default_factory=dict)  # actor key → user pk
    tokens: dict[str, str] = field(default_factory=dict)  # actor key → API token
    b: dict[str, Any] = field(default_factory=dict)  # the targets (慈溪, 古塘)
    x: dict[str, Any] = field(default_factory=dict)  # the sibling district's own objects
    markers: dict[str, list[str]] = field(default_factory=dict)  # "district" / "local" → strings
    baseline: dict[str, Any] = field(default_factory=dict)  # the database's snapshot before any probe
    sessions: dict[str, str] = field(default_factory=dict)  # actor key → session key, signed in once


# --------------------------------------------------------------------------------- building the world


def _user(username: str, display_name: str = "") -> User:
    user = User(username=username, display_name=display_name or username)
    user.set_unusable_password()
    user.save()
    return user


def _grant(user: User, org: Org, role: str) -> None:
    from jianfu.orgs.services import membership_grant

    membership_grant(actor=None, user=user, org=org, role=role)


def _sibling_district() -> dict[str, Org]:
    from jianfu.orgs.services import org_create

    mk = org_create
    district = mk(actor=None, code="PMX", name="矩阵区", kind=OrgKind.DISTRICT)
    street = mk(actor=None, code="PMX-S1", name="矩阵街道", kind=OrgKind.STREET, parent=district)
    community = mk(
        actor=None,
        code="PMX-S1C1",
        name="矩阵社区",
        kind=OrgKind.COMMUNITY,
        parent=street,
        registered_households=800,
        resident_households=700,
        population=2000,
    )
    grid = mk(actor=None, code="PMX-S1C1G1", name="矩阵网格", kind=OrgKind.GRID, parent=community)
    member_unit = mk(
        actor=None, code="PMX-MZ", name="矩阵民政局", kind=OrgKind.DEPARTMENT, parent=district, is_member_unit=True
    )
    department = mk(actor=None, code="PMX-WJ", name="矩阵卫健局", kind=OrgKind.DEPARTMENT, parent=district)
    return {
        "district": district,
        "street": street,
        "community": community,
        "grid": grid,
        "member_unit": member_unit,
        "department": department,
    }


def build_world() -> World:
    """Called once per module, after the demo district is loaded (conftest.demo_module)."""
    from jianfu.orgs.services import token_issue

    world = World()
    xorgs = _sibling_district()
    district = Org.objects.get(code=DEMO_DISTRICT)
    community = Org.objects.get(name=COMMUNITY_NAME, path__startswith=district.path)
    sibling = Org.objects.get(name=SIBLING_NAME, path__startswith=district.path)
    local_orgs = {
        "sibling": sibling,
        "sibling_grid": sibling.children.filter(kind=OrgKind.GRID).order_by("code").first(),
        "other_street": Org.objects.get(name=OTHER_STREET_NAME, path__startswith=district.path),
        "other_department": Org.objects.get(name=OTHER_DEPARTMENT_NAME, path__startswith=district.path),
    }
    for key, role, org_key in X_ROLES:
        user = _user(f"pm-{key}", f"矩阵{key}")
        _grant(user, xorgs[org_key], role)
        world.users[key] = user.pk
    world.users[NOBODY] = _user("pm-nobody", "矩阵无角色").pk
    for key, role, org_key in LOCAL_ROLES:
        user = _user(f"pm-{key}", f"近邻{key}")
        _grant(user, local_orgs[org_key], role)
        world.users[key] = user.pk
    world.users[B_COMMUNITY] = User.objects.get(username="community").pk
    for key, pk in world.users.items():
        world.tokens[key] = token_issue(actor=None, user=User.objects.get(pk=pk), name="permission matrix")
    _own_objects(world, xorgs)
    _targets(world, district, community, sibling, local_orgs)
    return world


def _own_objects(world: World, xorgs: dict[str, Org]) -> None:
    """What the sibling district's people hold themselves, to pair with another organisation's child."""
    from jianfu.access import services as access
    from jianfu.core import clock
    from jianfu.evaluation import services as evaluation
    from jianfu.evaluation.models import Direction, Scale

    users = {key: User.objects.get(pk=pk) for key, pk in world.users.items()}
    today = clock.today()
    application = access.application_create(
        actor=users["x-clerk"],
        department=xorgs["department"],
        name="矩阵区健康档案台账",
        kind="ledger",
        category="duty",
        legal_basis="《基本医疗卫生与健康促进法》",
        hours_per_occurrence=1,
        start_date=today + dt.timedelta(days=90),
    )
    dates = {
        "period_start": dt.date(today.year, 1, 1),
        "period_end": dt.date(today.year, 12, 31),
        "opens_on": today,
        "closes_on": min(today + dt.timedelta(days=14), dt.date(today.year, 12, 31)),
        "scale": Scale.FIVE,
    }
    rating = evaluation.campaign_create(
        actor=users["x-office"], title="矩阵区评议部门", direction=Direction.DEPARTMENT, **dates
    )
    evaluation.campaign_open(actor=users["x-office"], campaign=rating)
    households = evaluation.campaign_create(
        actor=users["x-office"], title="矩阵区居民评议社区", direction=Direction.COMMUNITY, **dates
    )
    world.x |= {
        "application": application.number,
        "campaign_open": rating.pk,
        "campaign_draft": households.pk,
        "department": xorgs["department"].code,
        "district": xorgs["district"].code,
    }


def _first(qs, what: str):
    obj = qs.first()
    assert obj is not None, f"the demo district has no {what} any more: update tests/permission_targets.py"
    return obj


def _targets(world: World, district: Org, community: Org, sibling: Org, local_orgs: dict[str, Org]) -> None:
    from jianfu.access.models import Application, Attachment, Consultation, State, ViolationReport
    from jianfu.cases import services as cases
    from jianfu.cases.models import Case, CaseEvent, CaseKind, CasePhoto, Matter, ServiceItem
    from jianfu.catalog.models import ItemList, ListVersion
    from jianfu.certificates import lists as cert_lists
    from jianfu.certificates import services as certificates
    from jianfu.certificates.models import Certificate, CertificateRequest, RequestState, SealUse
    from jianfu.core import clock
    from jianfu.deliberations.models import Deliberation
    from jianfu.evaluation.models import Campaign, CampaignState, Comment, Direction
    from jianfu.ledger import services as ledger
    from jianfu.ledger.models import DataElement, ElementState, ReportTemplate, Submission, SubmissionState
    from jianfu.registry import exports
    from jianfu.registry.models import Person

    b = world.b
    other_department = local_orgs["other_department"]
    demo = {name: User.objects.get(username=name) for name in ("office", "clerk", "community", "grid")}
    sib_community = User.objects.get(pk=world.users["sib-community"])

    b |= {
        "district": district.code,
        "street": community.parent.code,
        "community": community.code,
        "community_pk": community.pk,
        "grid": community.children.filter(kind=OrgKind.GRID).order_by("code").first().code,
        "department": Org.objects.get(name=DEPARTMENT_NAME, path__startswith=district.path).code,
    }

    # access: every application of the district; those no street or community was consulted on
    # are private to the department, the office and the reviewers.
    applications = Application.objects.filter(department__path__startswith=district.path).order_by("number")
    b["applications"] = list(applications.values_list("number", flat=True))
    b["applications_private"] = list(
        applications.filter(consultations__isnull=True).values_list("number", flat=True).distinct()
    )
    shared = _first(
        applications.filter(state=State.CONSULTATION, consultations__org=sibling).filter(consultations__org=community),
        "application in consultation with both 古塘 and 旦苑",
    )
    b["shared_application"] = shared.number
    # A decision document of an application no street or community was consulted on (fast-tracked).
    b["applications_decided"] = list(
        applications.filter(state=State.APPROVED, consultations__isnull=True).values_list("number", flat=True)[:1]
    )
    b["consultation"] = Consultation.objects.get(application=shared, org=community).pk
    attachment = _first(
        Attachment.objects.filter(application__number__in=b["applications_private"]), "attachment of an application"
    )
    b["attachment"] = [attachment.application.number, attachment.pk]
    b["attachment_pair"] = [b["attachment"]]
    # One object per kind and visibility is enough to try every URL on: the views look the object up
    # (and refuse) before they look at its state.
    second_private = next(n for n in b["applications_private"] if n != attachment.application.number)
    b["applications_sample"] = [attachment.application.number, shared.number]
    b["applications_local"] = [attachment.application.number, second_private]
    b["application_private"] = attachment.application.number
    reports = ViolationReport.objects.filter(community=community).exclude(department=other_department)
    b["violations"] = list(reports.order_by("number").values_list("number", flat=True))
    b["violations_sample"] = list(dict.fromkeys([reports.order_by("-pk")[0].number, reports.order_by("pk")[0].number]))
    b["violation_pks"] = list(reports.values_list("pk", flat=True))

    # registry: a 古塘 resident with no tag (no department reads them), the office's exports of 古塘
    person = _first(Person.objects.filter(community=community, tags__isnull=True).order_by("pk"), "untagged person")
    tagged = _first(Person.objects.filter(community=community, tags__isnull=False).order_by("pk"), "tagged person")
    b["people"] = [person.pk, tagged.pk]
    b["person_local"] = person.pk
    requested = exports.export_request(actor=demo["community"], org=community, reason="矩阵测试：核对低保名单")
    approved = exports.export_request(actor=demo["community"], org=community, reason="矩阵测试：走访独居老人")
    exports.export_decide(actor=demo["office"], request=approved, approve=True, note="同意")
    b["export_requested"], b["export_approved"] = requested.number, approved.number
    b["export_pks"] = [requested.pk, approved.pk]

    # ledger: elements and templates are the district's; submissions are 古塘's
    data = (Path(settings.BASE_DIR) / "tests" / "data" / "xlsform" / "elderly_survey_zh.xlsx").read_bytes()
    survey = ledger.survey_import(
        actor=demo["clerk"],
        department=Org.objects.get(code=b["department"]),
        data=data,
        file_name="elderly_survey_zh.xlsx",
    )
    b["survey"] = survey.pk
    elements = DataElement.objects.filter(district=district)
    active = _first(elements.filter(state=ElementState.ACTIVE).order_by("code"), "active data element")
    proposed = _first(elements.filter(state=ElementState.PROPOSED).order_by("code"), "proposed data element")
    b["elements"] = [active.pk, proposed.pk]
    b["element_proposed"] = proposed.pk
    templates = ReportTemplate.objects.filter(department__path__startswith=district.path).exclude(
        department=other_department
    )
    b["templates"] = list(templates.order_by("pk").values_list("pk", flat=True)[:1])
    submission = _first(
        Submission.objects.filter(community=community, state=SubmissionState.OPEN)
        .exclude(request__version__template__department=other_department)
        .order_by("pk"),
        "open submission of 古塘",
    )
    b["submission"] = submission.pk

    # certificates: 古塘's requests, certificates and seal log; one open request of 旦苑 for the
    # sibling worker (to try naming a 古塘 person as its applicant)
    requests_qs = CertificateRequest.objects.filter(community=community)
    issued = _first(requests_qs.filter(state=RequestState.ISSUED, certificate__isnull=False), "issued certificate")
    open_request = _first(
        requests_qs.filter(state=RequestState.REQUESTED).order_by("-pk") or requests_qs.exclude(pk=issued.pk),
        "second certificate request of 古塘",
    )
    certificate = Certificate.objects.get(request=issued)
    seal = _first(SealUse.objects.filter(community=community).order_by("-pk"), "seal use of 古塘")
    may = [i for i in cert_lists.listed(district).may if cert_lists.closed_reason(i, district) is None]
    assert may, "the demo district lists no certificate a community may issue"
    b["certificate_requests"] = [open_request.number, issued.number]
    b["certificate_request"] = open_request.number
    b["certificate"] = certificate.serial
    b["certificate_holder"] = certificate.person.name if certificate.person_id else ""
    b["seal"] = seal.pk
    b["certificate_item"] = may[0].code
    sibling_request = certificates.request_create(
        actor=sib_community, community=sibling, item=may[0], purpose="矩阵测试：申领居住证"
    )
    b["sibling_request"] = sibling_request.number

    # orders: the demo's orders to 古塘 (the one it refused has a receipt)
    from jianfu.orders.models import Delivery

    delivered = Delivery.objects.filter(community=community).order_by("pk")
    refused = _first(delivered.filter(state="refused_by_community"), "order 古塘 refused")
    b["orders_sample"] = list(dict.fromkeys([delivered[0].order.number, refused.order.number]))
    b["order_deliveries"] = [[refused.order.number, community.code]]
    b["delivery_pks"] = list(delivered.values_list("pk", flat=True))

    # plaques: one of 古塘's standing plaques (the demo registers them through the services)
    from jianfu.catalog.models import Plaque

    plaque = _first(Plaque.objects.filter(community=community, removed_on__isnull=True).order_by("pk"), "plaque")
    b["plaques"] = [[community.code, plaque.pk]]
    b["plaque_pks"] = [plaque.pk]

    # evaluation: campaigns not public (open, or rating workers) and one released and public
    campaigns = Campaign.objects.filter(district=district)
    private = [c for c in campaigns.order_by("pk") if c.state != CampaignState.RELEASED or c.direction == "worker"]
    assert private, "the demo district has no campaign that is not public"
    public = _first(
        campaigns.filter(state=CampaignState.RELEASED, direction=Direction.COMMUNITY), "released community rating"
    )
    b["campaigns_private"] = [c.pk for c in private]
    b["campaigns"] = [c.pk for c in campaigns.order_by("pk")]
    b["campaign_public"] = public.pk
    b["resident_campaigns"] = [c.pk for c in campaigns.filter(direction__in=["community", "worker"]).order_by("pk")]
    b["targets_private"], b["comments"] = [], []
    for campaign in campaigns.order_by("pk"):
        targets = campaign.targets.order_by("pk")
        target = targets.filter(Q(org=community) | Q(worker_id=demo["community"].pk)).first() or targets.first()
        if campaign.pk in b["campaigns_private"]:
            b["targets_private"].append([campaign.pk, target.pk])
        comment = Comment.objects.filter(target__campaign=campaign).order_by("pk").first()
        if comment is not None:
            b["comments"].append([campaign.pk, str(comment.pk)])
    b["comments"] = b["comments"][:1] + b["comments"][-1:]
    b["department_campaign"] = next(
        (c.pk for c in private if c.direction == Direction.DEPARTMENT), b["campaigns_private"][0]
    )
    b["campaigns_sample"] = [b["campaigns_private"][0], public.pk]
    b["campaign_private"] = b["campaigns_private"][0]

    # cases: 古塘's cases no 公安局 ever handled, one on a non-public matter with a photo
    involved = CaseEvent.objects.filter(assignee=other_department).values("case_id")
    gutang = (
        Case.objects.filter(org_path__startswith=community.path)
        .exclude(assignee=other_department)
        .exclude(pk__in=involved)
    )
    grid = Org.objects.filter(memberships__user=demo["grid"], memberships__role=Role.GRID).get()
    hidden = _first(
        Matter.objects.filter(group__district=district, public=False, active=True).order_by("code"), "non-public matter"
    )
    reported = cases.case_report(
        actor=demo["grid"], org_unit=grid, matter=hidden, description="矩阵测试：重点人员情况异常"
    )
    CasePhoto.objects.create(
        case=reported,
        image=f"cases/{reported.pk}/matrix.jpg",
        name="matrix.jpg",
        stage=reported.state,
        uploaded_by=demo["grid"],
        uploaded_at=clock.now(),
    )
    public_matter = _first(
        Matter.objects.filter(group__district=district, public=True, active=True).order_by("code"), "public matter"
    )
    # The demo's cases move on with the clock: take the newest of each kind, whatever its state.
    picks = [
        reported,
        _first(gutang.filter(kind=CaseKind.EVENT, whistle=True).order_by("-pk"), "whistle of 古塘"),
        _first(gutang.filter(kind=CaseKind.SERVICE).order_by("-pk"), "service case of 古塘"),
        _first(gutang.filter(kind=CaseKind.EVENT, whistle=False).exclude(pk=reported.pk).order_by("-pk"), "event"),
    ]
    b["cases"] = [c.number for c in picks]
    b["case_hidden"] = reported.number
    b["case_photo"] = [reported.number, reported.photos.get().pk]
    b["case_photo_pair"] = [b["case_photo"]]
    b["case_whistle"] = picks[1].number
    b["case_open_pk"] = reported.pk
    b["case_public"] = _first(
        Case.objects.filter(org_path__startswith=district.path, kind=CaseKind.EVENT, matter__public=True),
        "public case",
    ).number
    # 旦苑's own case, reported by its grid worker: its community worker may not merge it into 古塘's.
    sibling_case = cases.case_report(
        actor=User.objects.get(pk=world.users["sib-grid"]),
        org_unit=local_orgs["sibling_grid"],
        matter=public_matter,
        description="矩阵测试：楼道堆放杂物",
    )
    b["sibling_case"] = sibling_case.number
    b["matter_hidden"] = hidden.code
    b["matter_public"] = public_matter.code
    b["service_item"] = _first(ServiceItem.objects.filter(department__path__startswith=district.path), "item").code

    # portal: 古塘's deliberation records, a draft and a published one
    records = Deliberation.objects.filter(community=community)
    draft = _first(records.filter(published_at__isnull=True), "draft deliberation record of 古塘")
    published = _first(records.filter(published_at__isnull=False), "published deliberation record of 古塘")
    b["records"] = [draft.pk, published.pk]
    b["record_draft"], b["record_published"] = draft.pk, published.pk

    b["lists"] = list(ItemList.objects.order_by("code").values_list("code", flat=True)[:1])
    assert b["lists"], "the demo has no lists"
    b["list_versions"] = list(ListVersion.objects.filter(district=district).values_list("pk", flat=True)[:1])

    world.markers = _markers(world, district, community, requests_qs, gutang)
    world.markers["holder"] = [b["certificate_holder"]] if b["certificate_holder"] else []
    world.markers["community"] = [community.name]
    # The draft's subject, if no other record shares it (published records are public).
    unique = Deliberation.objects.filter(subject=draft.subject).count() == 1
    world.markers["records"] = [draft.subject] if unique else []
    world.markers["local"] += world.markers["records"]
    world.markers["district"] += world.markers["records"]


def _unique(model, field_name: str, qs, limit: int, sample: int = 50) -> list[str]:
    """Up to `limit` values of `field_name` in qs that no other row of the model shares."""
    from django.db.models import Count

    values = list(qs.values_list(field_name, flat=True)[:sample])
    counts = dict(
        model.objects.filter(**{f"{field_name}__in": values})
        .values_list(field_name)
        .annotate(n=Count("pk"))
        .values_list(field_name, "n")
    )
    return [v for v in dict.fromkeys(values) if counts.get(v) == 1][:limit]


def _markers(world: World, district: Org, community: Org, requests_qs, gutang) -> dict[str, list[str]]:
    """Strings that identify 古塘's (local) and 慈溪's (district) objects and appear nowhere else."""
    from jianfu.certificates.models import Certificate
    from jianfu.ledger.models import ReportRequest
    from jianfu.registry.models import Address, Person, Unit

    b = world.b
    local_markers = [*b["cases"], *b["violations"], *b["applications_private"]]
    local_markers += [b["export_requested"], b["export_approved"]]
    local_markers += list(requests_qs.order_by("-pk").values_list("number", flat=True)[:5])
    local_markers += b["certificate_requests"] + [b["certificate"]]
    local_markers += list(
        Certificate.objects.filter(community=community).order_by("-pk").values_list("serial", flat=True)[:3]
    )
    local_markers += list(gutang.order_by("-pk").values_list("number", flat=True)[:5])
    # No tag: no department reads them (a clerk reads the people carrying its own tags anywhere).
    people = Person.objects.filter(community=community, tags__isnull=True).order_by("org_path", "address__key", "pk")
    names = _unique(Person, "name", people, 5, sample=400)
    local_markers += names
    # 古塘's houses and units have no page of their own: their addresses and names must not show up
    # in another area's lists either.
    local_markers += _unique(Address, "label", Address.objects.filter(community=community).order_by("key"), 3)
    local_markers += _unique(Unit, "name", Unit.objects.filter(org_path__startswith=community.path).order_by("pk"), 3)
    local_markers = [m for m in dict.fromkeys(local_markers) if m]
    demo_people = list(
        User.objects.filter(memberships__org__path__startswith=district.path)
        .exclude(username__startswith="pm-")
        .values_list("display_name", flat=True)
    )
    district_markers = local_markers + b["applications"] + [n for n in demo_people if n]
    requests = ReportRequest.objects.filter(version__template__department__path__startswith=district.path)
    district_markers += list(requests.values_list("number", flat=True))
    district_markers += [district.name, community.name]
    return {"local": local_markers, "district": list(dict.fromkeys(district_markers)), "person": names}


# ------------------------------------------------------------------------------------------- probes

GET, POST, BOTH = ("GET",), ("POST",), ("GET", "POST")
REFUSED = frozenset({403, 404})
SOFT = frozenset({302, 403, 404})  # the actor sees the parent object; the service refuses with a message


@dataclass(frozen=True)
class Probe:
    """One URL name tried with another organisation's objects.

    urls: the world → a list of URL keyword sets, each tried with GET and POST. methods: the ones
    the view takes (the other must answer 405, or refuse). allow: the statuses that count as a
    refusal for a signed-in actor (an anonymous visitor may also be sent to the login page); 302
    only where the actor legitimately sees the parent object and the service refuses the change
    with a message. public: why the object is public — then the page must answer 200, and still
    nothing may change.
    """

    url: str
    urls: Callable[[World], list[dict]]
    actors: tuple[str, ...]
    methods: tuple[str, ...]
    variant: str = ""
    post: Callable[[World], dict] | None = None
    allow: frozenset = REFUSED
    public: str = ""
    query: Callable[[World], str] | None = None
    forbidden: tuple[str, ...] = ()  # World.markers keys the body must not contain
    other_method: bool = True  # also try the method the probe does not list (it must not succeed)

    @property
    def id(self) -> str:
        return f"{self.url}[{self.variant}]" if self.variant else self.url


def each(key: str, name: str) -> Callable[[World], list[dict]]:
    """One URL per value of world.b[key], passed as the keyword `name`."""
    return lambda w: [{name: v} for v in (w.b[key] if isinstance(w.b[key], list) else [w.b[key]])]


def pairs(key: str, first: str, second: str) -> Callable[[World], list[dict]]:
    """One URL per [a, b] pair in world.b[key]."""
    return lambda w: [{first: a, second: b} for a, b in w.b[key]]


def codes(*keys: str) -> Callable[[World], list[dict]]:
    return lambda w: [{"code": w.b[k]} for k in keys]


def acting(base: Callable[[World], list[dict]], actions: list[str]) -> Callable[[World], list[dict]]:
    return lambda w: [kw | {"action": a} for kw in base(w) for a in actions]


def nothing(w: World) -> list[dict]:
    return [{}]


ACCESS_ACTIONS = [
    "submit",
    "withdraw",
    "return",
    "pass_review",
    "review",
    "open_consultation",
    "close_consultation",
    "decide",
    "confirm_adjustment",
    "fast_track",
]
CERTIFICATE_ACTIONS = ["issue", "refuse", "withdraw", "identify", "sign_off"]
CASE_ACTIONS = ["accept", "dispatch", "respond", "resolve", "return", "dispute", "reassign", "confirm", "reopen"]
CASE_ACTIONS += ["close", "merge"]
CAMPAIGN_ACTIONS = ["open", "close", "release"]
MONITOR_PAGES = ["monitor:dashboard", "monitor:standards", "monitor:workload"]
RECORD_ACTIONS = ["publish", "withdraw"]
# Plausible form data, so that a view which forgot its check would go on and change something.
FORM = {
    "reason": "矩阵测试",
    "comment": "矩阵测试",
    "note": "矩阵测试",
    "opinion": "agree",
    "approve": "1",
    "decision": "approve",
    "phone": "13800000000",
    "relation": "head",
    "accept": "1",
    "confirm-solved": "fixed",
    "confirm-satisfaction": "satisfied",
}


def form(extra: Callable[[World], dict] | None = None) -> Callable[[World], dict]:
    return lambda w: FORM | (extra(w) if extra else {})


def in_query(template: str) -> Callable[[World], str]:
    return lambda w: template.format(**w.b)


P = Probe
HTML_PROBES: list[Probe] = [
    # ---- orgs
    P("orgs:detail", codes("district", "community", "grid", "department"), X, GET, "district"),
    P("orgs:detail", codes("street", "community", "grid"), LOCAL_ACTORS, GET, "next door"),
    # ---- access: the district's applications; those never put to a community are the department's
    P("access:detail", each("applications_sample", "number"), X, GET, "district"),
    P("access:detail", each("applications_local", "number"), LOCAL_ACTORS, GET, "next door"),
    P("access:edit", each("applications_sample", "number"), X, BOTH, "district", form()),
    P("access:edit", each("applications_local", "number"), LOCAL_ACTORS, BOTH, "next door", form()),
    P("access:attach", each("applications_sample", "number"), X, POST, "district", form()),
    P("access:attach", each("applications_local", "number"), LOCAL_ACTORS, POST, "next door", form()),
    P("access:action", acting(each("shared_application", "number"), ACCESS_ACTIONS), X, POST, "district", form()),
    P("access:action", acting(each("application_private", "number"), ACCESS_ACTIONS), LOCAL_ACTORS, POST, "next door"),
    P(
        "access:opinion",
        lambda w: [{"number": w.b["shared_application"], "consultation_id": w.b["consultation"]}],
        X + local("sib-community"),
        POST,
        post=form(),
    ),
    # 旦苑 was consulted on the same application and sees it: its worker may not answer for 古塘.
    P(
        "access:opinion",
        lambda w: [{"number": w.b["shared_application"], "consultation_id": w.b["consultation"]}],
        ("sib-community",),
        POST,
        "answering for the community next door",
        form(),
        SOFT,
    ),
    P(
        "access:opinion",
        lambda w: [{"number": w.x["application"], "consultation_id": w.b["consultation"]}],
        ("x-clerk",),
        POST,
        "own application, foreign consultation",
        form(),
    ),
    P("access:attachment", pairs("attachment_pair", "number", "attachment_id"), XL, GET),
    P("access:decision_document", each("applications_decided", "number"), XL, GET),
    P(
        "access:attachment",
        lambda w: [{"number": w.x["application"], "attachment_id": w.b["attachment"][1]}],
        ("x-clerk",),
        GET,
        "own application, foreign attachment",
    ),
    P(
        "access:attachment",
        lambda w: [{"number": w.b["shared_application"], "attachment_id": w.b["attachment"][1]}],
        ("sib-community",),
        GET,
        "shared application, foreign attachment",
    ),
    P("access:violation", each("violations_sample", "number"), XL, BOTH, post=form()),
    P("access:receipt", each("violations_sample", "number"), XL, GET),
    # ---- orders: another district sees none of this district's orders
    P("orders:detail", each("orders_sample", "number"), X, GET, "district"),
    P("orders:receipt", pairs("order_deliveries", "number", "code"), X, GET, "district"),
    P(
        "orders:action",
        acting(pairs("order_deliveries", "number", "code"), ["done", "refuse"]),
        X,
        POST,
        "district",
        form(),
    ),
    # ---- registry
    P("registry:person", each("people", "pk"), X, GET, "district"),
    P("registry:person", each("person_local", "pk"), LOCAL_ACTORS, GET, "next door"),
    P(
        "registry:reveal",
        lambda w: [{"pk": w.b["person_local"], "field": f} for f in ("id_number", "phone")],
        XL,
        POST,
        post=form(),
    ),
    P("registry:person_edit", each("person_local", "pk"), XL, POST, post=form()),
    P("registry:export_decide", each("export_requested", "number"), XL, POST, post=form()),
    P("registry:export_download", each("export_approved", "number"), XL, GET),
    # ---- ledger: elements and templates are the district's; submissions 古塘's
    P("ledger:element", each("elements", "pk"), X, GET),
    P(
        "ledger:element",
        each("elements", "pk"),
        local("other-clerk"),
        GET,
        "another community's figures",
        query=in_query("?org={community}"),
    ),
    P("ledger:element_activate", each("element_proposed", "pk"), X, POST, "district", form()),
    P(
        "ledger:element_activate",
        each("element_proposed", "pk"),
        LOCAL_ACTORS,
        POST,
        "not the office",
        form(),
        SOFT,
    ),
    P("ledger:template", each("templates", "pk"), X, BOTH, "district", form()),
    # The district's templates are read by everyone in it (GET); only the department edits one.
    P("ledger:template", each("templates", "pk"), LOCAL_ACTORS, POST, "not the department", form(), other_method=False),
    P(
        "ledger:template_action",
        each("templates", "pk"),
        X,
        POST,
        "district",
        form(lambda w: {"action": "retire"}),
    ),
    P(
        "ledger:template_action",
        each("templates", "pk"),
        LOCAL_ACTORS,
        POST,
        "not the department",
        form(lambda w: {"action": "retire"}),
        SOFT,
    ),
    P("ledger:template_export", each("templates", "pk"), X, GET),
    P("ledger:submission", each("submission", "pk"), XL, BOTH, post=form()),
    P(
        "ledger:submission_action",
        each("submission", "pk"),
        XL,
        POST,
        post=form(lambda w: {"action": "accept"}),
    ),
    P("ledger:submission_export", each("submission", "pk"), XL, GET),
    P("ledger:survey", each("survey", "pk"), XL, GET),
    # ---- certificates
    P("certificates:request", each("certificate_requests", "number"), XL, BOTH, post=form()),
    P(
        "certificates:action",
        acting(each("certificate_request", "number"), CERTIFICATE_ACTIONS),
        XL,
        POST,
        post=form(lambda w: {"person": w.b["person_local"]}),
    ),
    P(
        "certificates:action",
        lambda w: [{"number": w.b["sibling_request"], "action": "identify"}],
        ("sib-community",),
        POST,
        "own request, a person of the community next door",
        form(lambda w: {"person": w.b["person_local"]}),
        SOFT,
    ),
    P("certificates:pdf", each("certificate", "serial"), XL, GET),
    P("certificates:revoke", each("certificate", "serial"), XL, POST, post=form()),
    P("certificates:seal_revoke", each("seal", "pk"), XL, POST, post=form()),
    P("certificates:type_edit", each("certificate_item", "code"), XL_SIGNED_IN, BOTH, post=form()),
    P(
        "certificates:guide",
        each("certificate_item", "code"),
        (ANONYMOUS, "x-community"),
        GET,
        public="the published guide of a listed certificate is for everyone",
    ),
    P(
        "certificates:verify",
        each("certificate", "serial"),
        (ANONYMOUS, "x-community"),
        GET,
        public="anyone checks a serial; who holds it is shown only with the code printed on it",
        forbidden=("holder",),
    ),
    # ---- evaluation: the district's campaigns; released results of departments and communities are public
    P("evaluation:detail", each("campaigns_private", "pk"), X, GET),
    *[
        P(name, each("campaigns_private", "pk"), XL, GET)
        for name in ("evaluation:results", "evaluation:results_xlsx", "evaluation:report_pdf")
    ],
    *[
        P(name, each("campaigns_sample", "pk"), XL, BOTH, post=form())
        for name in ("evaluation:edit", "evaluation:indicators", "evaluation:targets", "evaluation:year_end")
    ],
    *[
        P(name, each("campaigns_sample", "pk"), XL, GET)
        for name in ("evaluation:comments", "evaluation:year_end_template")
    ],
    P(
        "evaluation:action",
        acting(each("campaign_private", "pk"), CAMPAIGN_ACTIONS),
        XL,
        POST,
        post=form(),
    ),
    P("evaluation:rate", each("campaigns_private", "pk"), X, GET),
    P(
        "evaluation:rate",
        each("department_campaign", "pk"),
        ("sib-grid", "sib-resident", "other-clerk"),
        GET,
        "not an evaluator",
    ),
    P("evaluation:rate_target", pairs("targets_private", "pk", "target_id"), X, POST, post=form()),
    P(
        "evaluation:rate_target",
        lambda w: [{"pk": w.x["campaign_open"], "target_id": t} for _c, t in w.b["targets_private"]],
        ("x-community", "x-street"),
        POST,
        "own campaign, foreign target",
        form(),
    ),
    P("evaluation:codes", each("resident_campaigns", "pk"), X, GET),
    P(
        "evaluation:codes_issue",
        lambda w: [{"pk": c, "community_id": w.b["community_pk"]} for c in w.b["resident_campaigns"]],
        X,
        POST,
        "district",
        form(),
        SOFT,  # a released rating of communities is public: its page is seen, the service refuses
    ),
    P(
        "evaluation:codes_issue",
        lambda w: [{"pk": c, "community_id": w.b["community_pk"]} for c in w.b["resident_campaigns"]],
        LOCAL_ACTORS,
        POST,
        "the district's campaign, the community next door",
        form(),
        SOFT,
    ),
    P(
        "evaluation:codes_issue",
        lambda w: [{"pk": w.x["campaign_draft"], "community_id": w.b["community_pk"]}],
        ("x-office",),
        POST,
        "own campaign, foreign community",
        form(),
        allow=SOFT,
    ),
    P("evaluation:target", pairs("targets_private", "pk", "target_id"), XL, GET),
    P(
        "evaluation:target",
        lambda w: [{"pk": w.x["campaign_open"], "target_id": t} for _c, t in w.b["targets_private"]],
        ("x-office",),
        GET,
        "own campaign, foreign target",
    ),
    P("evaluation:comment_moderate", pairs("comments", "pk", "comment_id"), XL, POST, post=form()),
    P(
        "evaluation:comment_moderate",
        lambda w: [{"pk": w.x["campaign_open"], "comment_id": m} for _c, m in w.b["comments"]],
        ("x-office",),
        POST,
        "own campaign, foreign comment",
        form(),
    ),
    P("evaluation:public_results", each("campaigns_private", "pk"), XL, GET, "not public", allow=frozenset({404})),
    P(
        "evaluation:public_results",
        each("campaign_public", "pk"),
        (ANONYMOUS, "x-community"),
        GET,
        "released",
        public="released results of departments and communities are published",
    ),
    # ---- cases
    P("cases:detail", each("cases", "number"), XL, GET),
    P(
        "cases:action",
        acting(each("case_hidden", "number"), CASE_ACTIONS),
        XL,
        POST,
        post=form(lambda w: {"merge-into": w.b["case_open_pk"]}),
    ),
    P(
        "cases:action",
        lambda w: [{"number": w.b["sibling_case"], "action": "merge"}],
        ("sib-community",),
        POST,
        "own case merged into the community next door's",
        form(lambda w: {"merge-into": w.b["case_open_pk"]}),
        SOFT,
    ),
    P("cases:photo", pairs("case_photo_pair", "number", "photo_id"), XL, GET),
    P(
        "cases:photo",
        lambda w: [{"number": w.b["sibling_case"], "photo_id": w.b["case_photo"][1]}],
        ("sib-community",),
        GET,
        "own case, foreign photo",
    ),
    P(
        "cases:apply",
        each("service_item", "code"),
        X,
        BOTH,
        post=form(lambda w: {"applicant_name": "矩阵", "applicant_phone": "13800000000", "description": "矩阵测试"}),
        # The item is public (流程可询): its form may show; applying from another district is refused.
        allow=frozenset({200, 403}),
    ),
    P(
        "cases:service",
        each("service_item", "code"),
        (ANONYMOUS,),
        GET,
        public="service items, their materials and time limits are public (流程可询)",
    ),
    P(
        "open311:request",
        lambda w: [{"request_id": w.b["case_hidden"], "fmt": f} for f in ("json", "xml")],
        XL,
        GET,
        "non-public matter",
        allow=frozenset({404}),
        query=in_query("?jurisdiction_id={district}"),
    ),
    P(
        "open311:request",
        lambda w: [{"request_id": w.b["case_public"], "fmt": "json"}],
        (ANONYMOUS,),
        GET,
        "public matter",
        public="Open311 publishes requests on public matters, without names or phones",
        query=in_query("?jurisdiction_id={district}"),
    ),
    P(
        "open311:service",
        lambda w: [{"code": w.b["matter_hidden"], "fmt": f} for f in ("json", "xml")],
        XL,
        GET,
        "non-public matter",
        allow=frozenset({404}),
        query=in_query("?jurisdiction_id={district}"),
    ),
    P(
        "open311:service",
        lambda w: [{"code": w.b["matter_public"], "fmt": "json"}],
        (ANONYMOUS,),
        GET,
        "public matter",
        public="Open311 lists the public matters",
        query=in_query("?jurisdiction_id={district}"),
    ),
    # ---- monitor
    *[P(name, codes("district", "community"), X, GET, "district") for name in MONITOR_PAGES],
    *[P(name, codes("street", "community"), LOCAL_ACTORS, GET, "next door") for name in MONITOR_PAGES],
    P("monitor:refresh", codes("district", "community"), XL, POST),
    P(
        "monitor:report",
        lambda w: [{"code": w.b["district"], "year": clock.today().year, "ext": e} for e in ("pdf", "docx")],
        XL,
        GET,
    ),
    # ---- portal: a community's deliberation records; published ones are public
    P("portal:record", each("records", "pk"), XL, BOTH, post=form()),
    P("portal:record_action", acting(each("records", "pk"), RECORD_ACTIONS), XL, POST, post=form()),
    P("portal:deliberation", each("record_draft", "pk"), XL, GET, "draft", allow=frozenset({404})),
    P(
        "portal:deliberation",
        each("record_published", "pk"),
        (ANONYMOUS,),
        GET,
        "published",
        public="published deliberation records are public",
    ),
    P("portal:community", codes("community"), (ANONYMOUS,), GET, public="a community's public page"),
    # ---- catalog: the lists are public; importing one is the office's, for its own district only
    P("catalog:list_import", each("lists", "code"), XL, BOTH, post=form(), query=in_query("?d={district}")),
    P("catalog:list", each("lists", "code"), (ANONYMOUS,), GET, public="the published lists are public"),
    P("catalog:list_export", each("lists", "code"), (ANONYMOUS,), GET, public="the published lists are public"),
    # ---- plaques: a community's plaques are read and kept by those who reach it
    P(
        "catalog:plaques_community",
        codes("community"),
        XL,
        BOTH,
        post=form(lambda w: {"kind": "plaque", "name": "社区工作站"}),
    ),
    P("catalog:plaque", pairs("plaques", "code", "pk"), XL, BOTH, post=form()),
    P("catalog:list_publish", each("lists", "code"), XL, BOTH, post=form(), query=in_query("?d={district}")),
    P("catalog:list_minutes", each("list_versions", "pk"), XL, GET),
    P("catalog:item_cancel", codes("certificate_item"), XL, BOTH, post=form()),
    # ---- pages without an id that take another organisation's code in the query string
    P("certificates:figures", nothing, XL_SIGNED_IN, GET, "another area", query=in_query("?org={community}")),
    P("certificates:figures_export", nothing, XL_SIGNED_IN, GET, "another area", query=in_query("?org={community}")),
    P("certificates:types", nothing, XL_SIGNED_IN, GET, "another district", query=in_query("?d={district}")),
    P(
        "certificates:baseline_import",
        nothing,
        XL_SIGNED_IN,
        BOTH,
        "another district",
        form(),
        query=in_query("?d={district}"),
    ),
    P(
        "portal:commitments",
        nothing,
        XL_SIGNED_IN,
        BOTH,
        "another district's department",
        form(lambda w: {"duties": "矩阵测试", "duty_phone": "13800000000"}),
        query=in_query("?department={department}"),
    ),
    P(
        "registry:exports",
        nothing,
        ("x-office", "x-community", "x-grid", "sib-community", "sib-grid", "other-street"),
        POST,
        "another area",
        form(lambda w: {"org": w.b["community"], "reason": "矩阵测试：导出"}),
        allow=SOFT,
        other_method=False,  # the GET is the actor's own list of exports
    ),
    P(
        "registry:overview",
        nothing,
        XL_SIGNED_IN,
        GET,
        "another area",
        allow=frozenset({200, 403}),
        query=in_query("?org={community}"),
        forbidden=("community",),
    ),
    P(
        "ledger:import",
        nothing,
        XL_SIGNED_IN,
        GET,
        "another community",
        allow=frozenset({200, 403}),
        query=in_query("?community={community}"),
        forbidden=("community",),
    ),
    P(
        "portal:records",
        nothing,
        XL_SIGNED_IN,
        GET,
        "another community",
        allow=frozenset({200, 403}),
        query=in_query("?community={community}"),
        forbidden=("records",),
    ),
]

# URL names that take an argument but hold no organisation's object, or only public ones.
EXEMPT_URLS = {
    "catalog:year": "the published catalog of a year is public",
    "catalog:export_xlsx": "the published catalog of a year is public",
    "catalog:export_docx": "the published catalog of a year is public",
    "catalog:export_pdf": "the published catalog of a year is public",
    "open311:discovery": "public Open311 discovery (the argument is the format)",
    "open311:services": "public Open311 service list (the argument is the format)",
    "open311:requests": "public Open311 requests on public matters (the argument is the format)",
}
# Admin pages are Django's own (is_staff and model permissions); no jianfu role is staff.
EXEMPT_NAMESPACES = {"admin": "Django admin: staff only, no role grants it"}


# ---------------------------------------------------------------------------------------- API probes


@dataclass(frozen=True)
class ApiProbe:
    name: str  # the API URL name (api:…)
    paths: Callable[[World], list[str]]
    actors: tuple[str, ...]
    method: str = "GET"
    variant: str = ""
    body: Callable[[World], dict] | None = None
    allow: frozenset = frozenset({401, 403, 404})

    @property
    def id(self) -> str:
        return f"{self.name}[{self.variant}]" if self.variant else self.name


API = "/api/v1"
A = ApiProbe


def api_paths(template: str, key: str) -> Callable[[World], list[str]]:
    return lambda w: [template.format(v) for v in w.b[key]]


API_PROBES: list[ApiProbe] = [
    A("api:get_org", lambda w: [f"{API}/orgs/{w.b[k]}/" for k in ("district", "community", "department")], X),
    A(
        "api:get_org",
        lambda w: [f"{API}/orgs/{w.b[k]}/" for k in ("street", "community")],
        LOCAL_ACTORS,
        variant="next door",
    ),
    A("api:get_application", api_paths(API + "/applications/{}/", "applications_sample"), X),
    A(
        "api:get_application",
        api_paths(API + "/applications/{}/", "applications_local"),
        LOCAL_ACTORS,
        variant="next door",
    ),
    *[
        A(
            f"api:{verb}_application",
            api_paths(API + "/applications/{}/" + verb + "/", key),
            actors,
            "POST",
            variant,
            lambda w: {"reason": "矩阵测试"},
        )
        for verb in ("submit", "withdraw")
        for key, actors, variant in (("applications_sample", X, ""), ("applications_local", LOCAL_ACTORS, "next door"))
    ],
    A("api:get_case", api_paths(API + "/cases/{}/", "cases"), XL),
    # Plaques: another organisation's plaques are neither read nor taken down, nor added to.
    A("api:get_plaque", api_paths(API + "/plaques/{}/", "plaque_pks"), XL),
    A("api:remove_plaque", api_paths(API + "/plaques/{}/remove/", "plaque_pks"), XL, "POST", body=lambda w: FORM),
    A(
        "api:register_plaque",
        lambda w: [f"{API}/plaques/"],
        XL,
        "POST",
        "in another community",
        lambda w: {"community": w.b["community"], "kind": "plaque", "name": "社区工作站"},
    ),
    # Orders: another district sees none of this district's orders, and may not answer them.
    A("api:get_order", api_paths(API + "/orders/{}/", "orders_sample"), X),
    *[
        A(
            f"api:{verb}",
            lambda w, path=path: [f"{API}/orders/{n}/{c}/{path}/" for n, c in w.b["order_deliveries"]],
            X,
            "POST",
            body=lambda w: {"reason": "矩阵测试"},
        )
        for verb, path in (("mark_done", "done"), ("refuse", "refuse"))
    ],
    A(
        "api:act",
        lambda w: [f"{API}/cases/{w.b['case_hidden']}/{a}/" for a in CASE_ACTIONS if a != "merge"],
        XL,
        "POST",
        body=lambda w: {"reason": "矩阵测试", "satisfaction": "satisfied"},
    ),
    # 古塘's own worker may reassign 古塘's whistle, but not to a department of another district.
    A(
        "api:act",
        lambda w: [f"{API}/cases/{w.b['case_whistle']}/reassign/"],
        (B_COMMUNITY,),
        "POST",
        "own case to another district's department",
        lambda w: {"reason": "矩阵测试：改派", "assignee": w.x["department"]},
        frozenset({400, 403, 404, 409}),
    ),
    A(
        "api:report_case",
        lambda w: [f"{API}/cases/"],
        ("x-grid", "x-community", "x-resident", "x-office", NOBODY, "sib-grid", "sib-community", "sib-resident"),
        "POST",
        "in another community",
        lambda w: {"org_unit": w.b["grid"], "matter": w.b["matter_public"], "description": "矩阵测试"},
        allow=frozenset({400, 401, 403, 404}),
    ),
    A("api:get_campaign", api_paths(API + "/evaluation/campaigns/{}/", "campaigns_private"), X),
    A("api:campaign_results", api_paths(API + "/evaluation/campaigns/{}/results/", "campaigns_private"), XL),
    A(
        "api:target_results",
        lambda w: [f"{API}/evaluation/campaigns/{c}/targets/{t}/" for c, t in w.b["targets_private"]],
        XL,
    ),
    A(
        "api:target_results",
        lambda w: [
            f"{API}/evaluation/campaigns/{w.x['campaign_open']}/targets/{t}/" for _c, t in w.b["targets_private"]
        ],
        ("x-office",),
        variant="own campaign, foreign target",
    ),
    A(
        "api:list_values",
        lambda w: [f"{API}/ledger/values/?org={w.b[k]}&period=2026-01" for k in ("community", "grid")],
        X + local("other-clerk"),
        variant="another area",
    ),
    A("api:figures", lambda w: [f"{API}/certificates/figures/?org={w.b['community']}"], XL, variant="another area"),
    # The report template cap: 慈溪's, read by its own people only, set by its own office only.
    A("api:get_cap", lambda w: [f"{API}/ledger/cap/{w.b['district']}/"], X),
    A(
        "api:set_cap",
        lambda w: [f"{API}/ledger/cap/{w.b['district']}/"],
        XL,
        "POST",
        body=lambda w: {"max_templates": 9},
    ),
    A(
        "api:list_publish",
        lambda w: [f"{API}/lists/{c}/publish/" for c in w.b["lists"]],
        XL,
        method="POST",
        body=lambda w: {
            "meeting_date": "2026-01-05",
            "meeting_decision": "矩阵测试",
            "meeting_minutes": "矩阵测试",
            "effective_on": "2026-01-06",
            "d": w.b["district"],
        },
    ),
    A(
        "api:item_cancel",
        lambda w: [f"{API}/items/{w.b['certificate_item']}/cancel/"],
        XL,
        method="POST",
        body=lambda w: {"effective_on": clock.today().isoformat(), "reason": "矩阵测试"},
    ),
]
EXEMPT_API = {
    "api:catalog": "the published catalog is public",
    "api:list_detail": "the published lists are public",
    "api:verify": "public verification; the holder is shown only with the printed code",
}
# Lists the caller may read: another organisation's identifiers must not appear in them.
API_LISTS = [
    f"{API}/orgs/",
    f"{API}/applications/",
    f"{API}/cases/",
    f"{API}/ledger/elements/",
    f"{API}/ledger/requests/",
    f"{API}/evaluation/campaigns/",
    f"{API}/plaques/",
]

# ---------------------------------------------------------------------------- rules (object predicates)


# Each object permission (a rules predicate taking an object) → the targets to ask it about, and
# whether the actors next door must be refused too (False: the object is the district's, shared).
def _model(label: str, pks):
    from django.apps import apps

    return list(apps.get_model(label).objects.filter(pk__in=pks))


def _orgs(w: World, *keys: str) -> list[Org]:
    return list(Org.objects.filter(code__in=[w.b[k] for k in keys]))


def _campaign_targets(w: World):
    from jianfu.evaluation.models import Target

    return list(Target.objects.filter(pk__in=[t for _c, t in w.b["targets_private"]]).select_related("campaign"))


def _applications(w: World, key: str):
    from jianfu.access.models import Application

    return list(Application.objects.filter(number__in=w.b[key]).select_related("department"))


def _cases(w: World):
    from jianfu.cases.models import Case

    return list(Case.objects.filter(number__in=w.b["cases"]).select_related("org_unit", "assignee"))


PERM_TARGETS: dict[str, tuple[Callable[[World], list], bool]] = {
    "access.decide_violation": (
        lambda w: _model("access.ViolationReport", w.b["violation_pks"]),
        True,
    ),
    "access.edit_application": (lambda w: _applications(w, "applications_private"), True),
    "access.give_opinion": (lambda w: _model("access.Consultation", [w.b["consultation"]]), True),
    "orders.answer": (lambda w: _model("orders.Delivery", w.b["delivery_pks"]), True),
    "access.manage": (lambda w: _applications(w, "applications"), True),
    "access.review": (lambda w: _applications(w, "applications"), True),
    "access.view_application": (lambda w: _applications(w, "applications_private"), True),
    "cases.confirm": (_cases, True),
    "cases.dispatch": (_cases, True),
    "cases.handle": (_cases, True),
    "cases.view_case": (_cases, True),
    "catalog.maintain": (lambda w: _orgs(w, "district"), True),
    "catalog.keep_plaques": (lambda w: _orgs(w, "community"), True),
    "certificates.configure": (lambda w: _orgs(w, "district"), True),
    "evaluation.manage_campaign": (lambda w: _model("evaluation.Campaign", w.b["campaigns"]), True),
    "evaluation.rate": (lambda w: _model("evaluation.Campaign", w.b["campaigns"]), False),
    "evaluation.read_comments": (_campaign_targets, True),
    "evaluation.view_results": (lambda w: _model("evaluation.Campaign", w.b["campaigns_private"]), True),
    "evaluation.view_target": (_campaign_targets, True),
    "ledger.activate_element": (lambda w: _model("ledger.DataElement", w.b["elements"]), True),
    "ledger.build_template": (lambda w: _orgs(w, "department"), True),
    "ledger.define_element": (lambda w: _orgs(w, "department"), True),
    "ledger.department_decide": (lambda w: _model("ledger.Submission", [w.b["submission"]]), True),
    "ledger.enter_value": (lambda w: _orgs(w, "community", "grid"), True),
    "ledger.fill": (lambda w: _model("ledger.Submission", [w.b["submission"]]), True),
    "ledger.fill_grid": (lambda w: _model("ledger.Submission", [w.b["submission"]]), True),
    "ledger.set_cap": (lambda w: _orgs(w, "district", "department"), True),
    "ledger.street_decide": (lambda w: _model("ledger.Submission", [w.b["submission"]]), True),
    "ledger.unlock": (lambda w: _model("ledger.Submission", [w.b["submission"]]), True),
    "monitor.refresh": (lambda w: _orgs(w, "district"), True),
    "monitor.view": (lambda w: _orgs(w, "district", "street", "community"), True),
    "orgs.manage_org": (lambda w: _orgs(w, "district", "street", "community", "grid", "department"), True),
    "orgs.view_org": (lambda w: _orgs(w, "street", "community", "grid"), True),
    "deliberations.manage": (lambda w: _model("deliberations.Deliberation", w.b["records"]), True),
    "deliberations.record": (lambda w: _orgs(w, "community"), True),
    "registry.decide_export": (lambda w: _model("registry.ExportRequest", w.b["export_pks"]), True),
    "registry.edit_person": (lambda w: _model("registry.Person", [w.b["person_local"]]), True),
    "registry.reveal": (lambda w: _model("registry.Person", [w.b["person_local"]]), True),
}
# orgs.view_org for the sibling district: the district and its departments too.
PERM_TARGETS_DISTRICT_EXTRA = {"orgs.view_org": lambda w: _orgs(w, "district", "department")}
