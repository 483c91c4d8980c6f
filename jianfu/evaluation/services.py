"""Every change in an evaluation: one function per action, each checking permission, locking,
checking the state, applying and auditing. Household votes are the exception that proves the rule:
they are audited as "a household of community X voted", never with the code, ballot or scores."""

import hashlib
import hmac
import random
import re
import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils.translation import gettext as _

from jianfu.audit import services as audit
from jianfu.core import clock
from jianfu.core.crypto import blind_index_candidates
from jianfu.core.errors import DomainError, InvalidTransition, PermissionDenied
from jianfu.core.tabular import ImportRejected, ImportResult, RowError, Table
from jianfu.core.workflow import apply, check, require
from jianfu.orgs.models import Membership, Org, OrgKind, Role, User

from . import indicators as objective
from . import scoring
from .machines import CAMPAIGN, COMMENT, rating_role
from .models import (
    Ballot,
    BallotScore,
    Campaign,
    CampaignState,
    Comment,
    CommentEvent,
    CommentState,
    Direction,
    Indicator,
    Result,
    Target,
    VoterKind,
    VotingCode,
    YearEndScore,
)
from .permissions import can_issue_codes, can_manage_campaign, can_rate_as, office_districts, rates_target
from .rows import Rows
from .rows import insert as insert_rows

S = CampaignState
CAMPAIGN_FIELDS = [
    "title",
    "direction",
    "period_start",
    "period_end",
    "opens_on",
    "closes_on",
    "scale",
    "turnout_threshold",
    "composite_numerator",
    "composite_denominator",
]
EDITABLE_FIELDS = set(CAMPAIGN_FIELDS) - {"direction"}

# (name, what is rated, objective source or "" for an opinion, weight %)
DEFAULT_INDICATORS: dict[str, list[tuple[str, str, str, int]]] = {
    Direction.DEPARTMENT: [
        ("遵守准入规定", "不向社区派发未经准入的工作、报表、证明和评比", "", 25),
        ("指导服务基层", "对社区的业务指导、培训和经费、资源支持", "", 25),
        ("工作作风", "深入基层、办事效率、态度和廉洁", "", 20),
        ("响应社区吹哨", "接到社区吹哨后是否及时报到、解决", "", 10),
        ("经确认的违规派单", "", "confirmed_violations", 10),
        ("未经准入的报表", "", "unapproved_report_requests", 5),
        ("清单外证明", "", "certificates_outside_list", 5),
    ],
    # Seeds 002 and 003: most of a community's time goes to tasks the street and departments pass
    # down (街道下派的行政任务); streets borrow community workers (000).
    Direction.STREET: [
        ("遵守准入规定", "不向社区下派未经准入的行政任务、报表、评比和证明", "", 30),
        ("支持社区", "为社区减负，给予指导、经费和人员支持，不借调社区工作者", "", 25),
        ("工作作风", "深入社区、办事效率、态度和廉洁", "", 20),
        ("回应社区诉求", "社区反映的问题和吹哨是否及时回应、解决", "", 15),
        ("经确认的违规派单", "", "confirmed_violations", 10),
    ],
    Direction.COMMUNITY: [
        ("服务", "办事方便、服务周到", "", 30),
        ("公开", "居务、财务公开及时完整", "", 25),
        ("公平", "办事公道、一视同仁", "", 20),
        ("回应", "居民诉求有回音、有结果", "", 25),
    ],
    Direction.WORKER: [
        ("服务态度", "热情耐心、尊重居民", "", 40),
        ("办事效率", "事情办得快、办得好", "", 30),
        ("廉洁公道", "不吃拿卡要、办事公道", "", 30),
    ],
}
DEFAULT_THRESHOLD = {Direction.DEPARTMENT: 0, Direction.STREET: 0, Direction.COMMUNITY: 80, Direction.WORKER: 80}

# One-time codes: no 0/O, 1/I/L, so a code read aloud or off a slip is typed right.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
COMMENT_MAX = 500


def _full_clean(obj, **kwargs) -> None:
    try:
        obj.full_clean(**kwargs)
    except ValidationError as exc:
        raise DomainError("；".join(exc.messages), code="invalid") from exc


def _lock(campaign: Campaign) -> Campaign:
    return CAMPAIGN.lock(campaign)


def max_weight() -> int:
    """No single indicator may carry more than this share (%), so none decides the result alone."""
    return getattr(settings, "JIANFU", {}).get("EVALUATION_MAX_INDICATOR_WEIGHT", 50)


def allowed_actions(campaign: Campaign) -> set[str]:
    return CAMPAIGN.startable(campaign)


# ------------------------------------------------------------------------------------ campaigns


@dataclass(frozen=True)
class Candidate:
    org: Org
    worker: User | None = None

    @property
    def key(self) -> str:
        return f"w{self.worker.pk}-{self.org.pk}" if self.worker else f"o{self.org.pk}"

    @property
    def name(self) -> str:
        return str(self.worker) if self.worker else self.org.name


def candidates(campaign: Campaign) -> list[Candidate]:
    """Who the campaign's direction rates in its district, from the org tree and the memberships."""
    district_path = f"/{campaign.district_id}/"
    if campaign.direction == Direction.DEPARTMENT:
        orgs = Org.objects.filter(parent_id=campaign.district_id, kind__in=[OrgKind.DEPARTMENT, OrgKind.GROUP_ORG])
        return [Candidate(o) for o in orgs.order_by("kind", "code")]
    if campaign.direction == Direction.COMMUNITY:
        return [Candidate(o) for o in Org.objects.filter(path__startswith=district_path, kind=OrgKind.COMMUNITY)]
    if campaign.direction == Direction.STREET:
        orgs = Org.objects.filter(parent_id=campaign.district_id, kind__in=[OrgKind.STREET, OrgKind.TOWN])
        return [Candidate(o) for o in orgs.order_by("code")]
    memberships = (
        Membership.objects.filter(role=Role.COMMUNITY, org__path__startswith=district_path, user__is_active=True)
        .select_related("org", "user")
        .order_by("org__path", "user__username")
    )
    return [Candidate(m.org, m.user) for m in memberships]


def _district_of(actor: User) -> Org:
    ids = office_districts(actor)
    if not ids and actor.is_superuser:
        district = Org.objects.filter(kind=OrgKind.DISTRICT).order_by("code").first()
    else:
        district = Org.objects.filter(pk__in=ids).order_by("code").first()
    if district is None:
        raise PermissionDenied(_("Only the access office runs evaluation campaigns."))
    return district


@transaction.atomic
def campaign_create(*, actor: User, district: Org | None = None, **fields) -> Campaign:
    district = district or _district_of(actor)
    require(actor.is_superuser or district.pk in office_districts(actor), _("Only the access office runs evaluations."))
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise DomainError(f"unknown fields: {', '.join(sorted(unknown))}")
    direction = fields.get("direction")
    if direction not in Direction.values:
        raise DomainError(_("Choose who rates whom."))
    fields.setdefault("turnout_threshold", DEFAULT_THRESHOLD[direction])
    campaign = Campaign(district=district, created_by=actor, code_salt=secrets.token_hex(16), **fields)
    _full_clean(campaign)
    campaign.save()
    Indicator.objects.bulk_create(
        Indicator(campaign=campaign, position=n, name=name, description=desc, source=source, weight=weight)
        for n, (name, desc, source, weight) in enumerate(DEFAULT_INDICATORS[direction], start=1)
    )
    Target.objects.bulk_create(
        Target(campaign=campaign, org=c.org, worker=c.worker, name=c.name) for c in candidates(campaign)
    )
    audit.record(
        action="campaign.create",
        actor=actor,
        obj=campaign,
        org=district,
        role=Role.OFFICE,
        after=audit.snapshot(campaign, CAMPAIGN_FIELDS),
    )
    return campaign


@transaction.atomic
def campaign_update(*, actor: User, campaign: Campaign, **fields) -> Campaign:
    campaign = _lock(campaign)
    require(can_manage_campaign(actor, campaign), _("Only the access office changes a campaign."))
    check(CAMPAIGN, campaign, "edit", actor)
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise DomainError(f"unknown fields: {', '.join(sorted(unknown))}")
    before = audit.snapshot(campaign, CAMPAIGN_FIELDS)
    for name, value in fields.items():
        setattr(campaign, name, value)
    _full_clean(campaign)
    campaign.save()
    audit.record(
        action="campaign.update",
        actor=actor,
        obj=campaign,
        org=campaign.district,
        role=Role.OFFICE,
        before=before,
        after=audit.snapshot(campaign, CAMPAIGN_FIELDS),
    )
    return campaign


@dataclass
class IndicatorRow:
    name: str
    weight: int
    source: str = ""
    description: str = ""


def indicator_problems(direction: str, rows: list[IndicatorRow]) -> list[str]:
    """Why a weighted indicator set may not be used (empty when it may)."""
    problems = []
    if not rows:
        return [_("Add at least one indicator.")]
    names = [r.name.strip() for r in rows]
    if any(not n for n in names):
        problems.append(_("Every indicator needs a name."))
    if len(set(names)) != len(names):
        problems.append(_("Two indicators have the same name."))
    total = sum(r.weight for r in rows)
    if total != 100:
        problems.append(_("The weights add up to %(total)s %%; they must add up to 100 %%.") % {"total": total})
    cap = max_weight()
    heavy = [r.name for r in rows if r.weight > cap]
    if heavy:
        problems.append(
            _("No indicator may weigh more than %(cap)s %% (no one-vote veto): %(names)s.")
            % {"cap": cap, "names": "、".join(heavy)}
        )
    if any(r.weight < 1 for r in rows):
        problems.append(_("Every weight must be at least 1 %."))
    opinion = sum(r.weight for r in rows if not r.source)
    if opinion * 2 < total:
        problems.append(_("The evaluators' opinions must weigh at least half: satisfaction comes first."))
    sources = [r.source for r in rows if r.source]
    if len(set(sources)) != len(sources):
        problems.append(_("An objective indicator is used twice."))
    usable = {i.code for i in objective.available(direction)}
    for source in sources:
        if source not in usable:
            problems.append(
                _("“%(source)s” is not an objective indicator for this direction.")
                % {"source": objective.label(source)}
            )
    return problems


@transaction.atomic
def indicators_set(*, actor: User, campaign: Campaign, rows: list[IndicatorRow]) -> list[Indicator]:
    campaign = _lock(campaign)
    require(can_manage_campaign(actor, campaign), _("Only the access office sets the indicators."))
    check(CAMPAIGN, campaign, "edit", actor)
    problems = indicator_problems(campaign.direction, rows)
    if problems:
        raise DomainError("；".join(problems), code="invalid_indicators")
    before = _indicator_snapshot(campaign)
    campaign.indicators.all().delete()
    made = Indicator.objects.bulk_create(
        Indicator(
            campaign=campaign,
            position=n,
            name=r.name.strip(),
            description=r.description.strip(),
            source=r.source,
            weight=r.weight,
        )
        for n, r in enumerate(rows, start=1)
    )
    audit.record(
        action="campaign.indicators",
        actor=actor,
        obj=campaign,
        org=campaign.district,
        role=Role.OFFICE,
        before=before,
        after=_indicator_snapshot(campaign),
    )
    return made


def _indicator_snapshot(campaign: Campaign) -> dict:
    return {"indicators": [[i.name, i.source, i.weight] for i in campaign.indicators.all()]}


@transaction.atomic
def targets_set(*, actor: User, campaign: Campaign, keys: list[str]) -> list[Target]:
    """Keep the chosen candidates (by Candidate.key) as the campaign's targets."""
    campaign = _lock(campaign)
    require(can_manage_campaign(actor, campaign), _("Only the access office chooses who is rated."))
    check(CAMPAIGN, campaign, "edit", actor)
    by_key = {c.key: c for c in candidates(campaign)}
    unknown = [k for k in keys if k not in by_key]
    if unknown or not keys:
        raise DomainError(_("Choose at least one of the listed targets."))
    chosen = [by_key[k] for k in keys]
    before = sorted(campaign.targets.values_list("name", flat=True))
    campaign.targets.all().delete()
    made = Target.objects.bulk_create(
        Target(campaign=campaign, org=c.org, worker=c.worker, name=c.name) for c in chosen
    )
    # Codes printed for a community no longer rated are void (none can be used yet: still a draft).
    campaign.codes.exclude(community_id__in={t.org_id for t in made}).delete()
    audit.record(
        action="campaign.targets",
        actor=actor,
        obj=campaign,
        org=campaign.district,
        role=Role.OFFICE,
        before={"targets": before},
        after={"targets": sorted(c.name for c in chosen)},
    )
    return made


@transaction.atomic
def campaign_open(*, actor: User, campaign: Campaign) -> Campaign:
    campaign = _lock(campaign)
    check(CAMPAIGN, campaign, "open", actor)
    rows = [IndicatorRow(i.name, i.weight, i.source, i.description) for i in campaign.indicators.all()]
    problems = indicator_problems(campaign.direction, rows)
    if problems:
        raise DomainError("；".join(problems), code="invalid_indicators")
    if not campaign.targets.exists():
        raise DomainError(_("Choose who is rated first."))
    if campaign.closes_on < clock.today():
        raise DomainError(_("The closing date has passed; move it first."))
    return apply(CAMPAIGN, campaign, "open", actor=actor, locked=True)


@transaction.atomic
def campaign_close(*, actor: User | None, campaign: Campaign, reason: str = "") -> Campaign:
    # Without an actor, the system closes a campaign (permission=False): no one to ask.
    campaign = apply(CAMPAIGN, campaign, "close", actor=actor, note=reason, permission=actor is not None)
    if campaign.is_resident:
        rewritten = reshuffle_household_ballots(campaign)
        if rewritten:
            audit.record(action="ballots.reshuffle", obj=campaign, org=campaign.district, after={"ballots": rewritten})
    return campaign


def reshuffle_household_ballots(campaign: Campaign) -> int:
    """Write the household ballots, their scores and the households' comments again as new rows with
    new random keys, in random order, in one transaction. While the campaign was open each ballot was
    written in the transaction that spent its code, so the database's own bookkeeping (the row order,
    PostgreSQL's transaction id of the row) could pair a ballot with a code row; afterwards nothing can."""
    households = Q(target__campaign=campaign, evaluator__isnull=True)
    ballots = list(Ballot.objects.filter(households).values_list("pk", "target_id", "voter_kind"))
    if not ballots:
        return 0
    values: dict = {}
    scores = BallotScore.objects.filter(ballot__target__campaign=campaign, ballot__evaluator__isnull=True)
    for ballot_id, indicator_id, value in scores.values_list("ballot_id", "indicator_id", "value"):
        values.setdefault(ballot_id, {})[indicator_id] = value
    comments = list(
        Comment.objects.filter(households).values_list(
            "pk", "target_id", "text", "state", "moderated_by_id", "moderated_on"
        )
    )
    rows = Rows()
    for pk, target_id, kind in ballots:
        rows.ballot(target_id, kind, None, values.get(pk, {}))
    renamed = {}  # a comment's key -> its new key
    for pk, target_id, text, state, moderator, day in comments:
        rows.comment(target_id, None, text, state, moderator, day)
        renamed[pk] = rows.comments[-1][0]
    # The office's moderations of a comment follow it to its new key (they say nothing of its writer).
    moderated = set(CommentEvent.objects.filter(comment__in=list(renamed)).values_list("comment_id", flat=True))
    # Plain set-based deletes: everything was read above, and only the comments' events refer to these
    # rows (moved below, in the same transaction: the foreign keys are checked at the commit).
    table = {m: connection.ops.quote_name(m._meta.db_table) for m in (Target, Ballot, BallotScore, Comment)}
    targets = f"SELECT id FROM {table[Target]} WHERE campaign_id = %s"
    household_ballots = f"SELECT id FROM {table[Ballot]} WHERE evaluator_id IS NULL AND target_id IN ({targets})"
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table[BallotScore]} WHERE ballot_id IN ({household_ballots})", [campaign.pk])
        cursor.execute(f"DELETE FROM {table[Ballot]} WHERE id IN ({household_ballots})", [campaign.pk])
        cursor.execute(
            f"DELETE FROM {table[Comment]} WHERE evaluator_id IS NULL AND target_id IN ({targets})", [campaign.pk]
        )
    written = rows.write(random.SystemRandom())
    for pk in moderated:
        CommentEvent.objects.filter(comment_id=pk).update(comment_id=renamed[pk])
    return written


@transaction.atomic
def campaign_release(*, actor: User, campaign: Campaign) -> Campaign:
    """Freeze the results as they stand and publish them."""
    campaign = _lock(campaign)
    check(CAMPAIGN, campaign, "release", actor)
    results = scoring.compute(campaign)
    Result.objects.filter(target__campaign=campaign).delete()
    Result.objects.bulk_create(scoring.freeze(results))
    return apply(CAMPAIGN, campaign, "release", actor=actor, locked=True)


# ------------------------------------------------------------------------------- organisation ballots


def _check_values(campaign: Campaign, scores: dict[int, int], opinion: list[Indicator]) -> dict[int, int]:
    low, high = campaign.scale_range
    clean = {}
    for ind in opinion:
        value = scores.get(ind.pk)
        if value is None or value == "":
            raise DomainError(_("Rate “%(name)s”.") % {"name": ind.name}, code="incomplete")
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise DomainError(_("“%(name)s” needs a whole number.") % {"name": ind.name}, code="invalid") from None
        if not low <= value <= high:
            raise DomainError(
                _("“%(name)s” must be rated from %(low)s to %(high)s.") % {"name": ind.name, "low": low, "high": high},
                code="invalid",
            )
        clean[ind.pk] = value
    return clean


def _accepting(campaign: Campaign) -> None:
    today = clock.today()
    if campaign.state != S.OPEN:
        raise InvalidTransition(_("This campaign is not open for ballots."), code="not_open")
    if today < campaign.opens_on:
        raise DomainError(_("Ballots open on %(day)s.") % {"day": campaign.opens_on.isoformat()}, code="not_open")
    if today > campaign.closes_on:
        raise DomainError(_("Ballots closed on %(day)s.") % {"day": campaign.closes_on.isoformat()}, code="closed")


def _clean_comment(text: str) -> str:
    text = (text or "").strip()
    if len(text) > COMMENT_MAX:
        raise DomainError(_("A comment may be at most %(n)s characters.") % {"n": COMMENT_MAX}, code="invalid")
    return text


@transaction.atomic
def ballot_save(*, actor: User, target: Target, evaluator: Org, scores: dict[int, int], comment: str = "") -> Ballot:
    """A community or street rates a department, or changes its rating while the campaign is open."""
    campaign = Campaign.objects.select_for_update().get(pk=target.campaign_id)
    require(
        can_rate_as(actor, campaign, evaluator), _("You may rate only in the name of your own community or street.")
    )
    require(rates_target(evaluator, target), _("A community rates only its own street or town."))
    _accepting(campaign)
    opinion = [i for i in campaign.indicators.all() if i.is_opinion]
    values = _check_values(campaign, scores, opinion)
    comment = _clean_comment(comment)
    ballot = Ballot.objects.select_for_update().filter(target=target, evaluator=evaluator).first()
    before = None
    if ballot is None:
        ballot = Ballot.objects.create(target=target, evaluator=evaluator, voter_kind=VoterKind.ORG)
    else:
        before = _ballot_snapshot(ballot)
        ballot.scores.all().delete()
    BallotScore.objects.bulk_create(BallotScore(ballot=ballot, indicator_id=k, value=v) for k, v in values.items())
    existing = Comment.objects.filter(target=target, evaluator=evaluator).first()
    if not comment:
        if existing is not None:
            existing.delete()
    elif existing is None:
        Comment.objects.create(target=target, evaluator=evaluator, text=comment)
    elif existing.text != comment:
        if existing.state == CommentState.PENDING:
            existing.text = comment
            existing.save(update_fields=["text"])
        else:
            # A changed comment goes back to the office before the target sees it.
            _revise(actor, existing, evaluator, comment)
    audit.record(
        action="ballot.update" if before else "ballot.create",
        actor=actor,
        obj=ballot,
        org=evaluator,
        before=before,
        after=_ballot_snapshot(ballot),
    )
    return ballot


def _revise(actor: User, comment: Comment, evaluator: Org, text: str) -> None:
    def revised(moved: Comment) -> None:
        moved.text = text

    apply(COMMENT, comment, "revise", actor=actor, role=rating_role(actor, evaluator), change=revised)


def _ballot_snapshot(ballot: Ballot) -> dict:
    comment = Comment.objects.filter(target=ballot.target, evaluator=ballot.evaluator).first()
    return {
        "target": ballot.target.name,
        "scores": {s.indicator.name: s.value for s in ballot.scores.select_related("indicator")},
        "comment": comment.text if comment else "",
    }


# ------------------------------------------------------------------------------------ household codes


@dataclass
class Slip:
    grid: str
    label: str
    code: str
    kind: str


def format_code(raw: str) -> str:
    return f"{raw[:5]}-{raw[5:]}"


def normalise_code(text: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", (text or "").upper())


def code_keys(campaign: Campaign) -> list[bytes]:
    """The campaign's code key under each configured PII key (current first): derived from the
    server's secret and the campaign's salt, so a code means nothing in another campaign and a
    database dump alone cannot test guesses."""
    return [bytes.fromhex(h) for h in blind_index_candidates(campaign.code_salt, purpose="evaluation-code")]


def code_hash(code: str, key: bytes) -> str:
    return hmac.new(key, normalise_code(code).encode(), hashlib.sha256).hexdigest()


def _residents(community: Org):
    from jianfu.registry.models import Person

    return Person.objects.filter(org_path__startswith=community.path, address__isnull=False)


def households_of(community: Org):
    """The resident households of a community in the base registry: its addresses where people live."""
    from jianfu.registry.models import Address

    lived_in = _residents(community).values("address")
    return Address.objects.filter(pk__in=lived_in).select_related("grid").order_by("org_path", "key")


def household_counts(communities: list[Org]) -> dict[int, int]:
    """How many households `households_of` finds in each community (the codes one issue prints), in one query."""
    if not communities:
        return {}
    residents = _residents(communities[0])
    for community in communities[1:]:
        residents |= _residents(community)
    whens = [When(org_path__startswith=c.path, then=Value(c.pk)) for c in communities]
    rows = (
        residents.annotate(community_key=Case(*whens, output_field=IntegerField()))
        .values("community_key")
        .annotate(n=Count("address", distinct=True))
        .order_by()
    )
    return {row["community_key"]: row["n"] for row in rows}


def units_of(community: Org):
    from jianfu.registry.models import Unit

    return Unit.objects.filter(org_path__startswith=community.path).select_related("address").order_by("name")


def code_communities(campaign: Campaign) -> list[Org]:
    """The communities whose households receive codes: the rated communities, or the workers'."""
    ids = set(campaign.targets.values_list("org_id", flat=True))
    return list(Org.objects.filter(pk__in=ids, kind=OrgKind.COMMUNITY).order_by("path"))


def _new_codes(n: int) -> list[str]:
    """n distinct random codes from the operating system's generator (no modulo bias)."""
    size = len(CODE_ALPHABET)
    limit = 256 - 256 % size
    made: set[str] = set()
    while len(made) < n:
        usable = [b % size for b in secrets.token_bytes(2 * CODE_LENGTH * (n - len(made))) if b < limit]
        for start in range(0, len(usable) - CODE_LENGTH + 1, CODE_LENGTH):
            made.add("".join(CODE_ALPHABET[i] for i in usable[start : start + CODE_LENGTH]))
    return list(made)[:n]


@transaction.atomic
def codes_issue(*, actor: User, campaign: Campaign, community: Org) -> list[Slip]:
    """One code per resident household in the registry (and per resident unit when the community
    itself is rated). The codes are returned once, for the slips, and stored only as hashes. Issuing
    again replaces the codes, which is allowed only while none has been used."""
    campaign = _lock(campaign)
    require(
        can_issue_codes(actor, campaign, community), _("Only the community, its street or the office issue its codes.")
    )
    if campaign.state not in {S.DRAFT, S.OPEN} or clock.today() > campaign.closes_on:
        raise InvalidTransition(_("Codes can be issued only before the campaign closes."), code="closed")
    if community.pk not in {c.pk for c in code_communities(campaign)}:
        raise DomainError(_("This community is not rated in this campaign."))
    existing = VotingCode.objects.filter(campaign=campaign, community=community)
    if existing.filter(used=True).exists():
        raise DomainError(
            _("Households have already voted with the codes issued; they cannot be issued again."), code="codes_in_use"
        )
    replaced = existing.count()
    existing.delete()
    holders = [
        (grid, label, VoterKind.HOUSEHOLD)
        for grid, label in households_of(community).values_list("grid__name", "label")
    ]
    if campaign.direction == Direction.COMMUNITY:
        units = units_of(community).values_list("name", "address__label")
        holders += [("", f"{name}（{label}）", VoterKind.UNIT) for name, label in units]
    if not holders:
        raise DomainError(_("The registry holds no resident household for this community yet."), code="no_households")
    codes = _new_codes(len(holders))
    key = code_keys(campaign)[0]
    rows = [
        (campaign.pk, community.pk, kind, code_hash(code, key), False)
        for (_grid, _label, kind), code in zip(holders, codes, strict=True)
    ]
    # Stored in random order: the n-th code row is not the n-th address of the registry.
    random.SystemRandom().shuffle(rows)
    insert_rows(VotingCode, ["campaign_id", "community_id", "kind", "code_hash", "used"], rows)
    households = sum(1 for h in holders if h[2] == VoterKind.HOUSEHOLD)
    audit.record(
        action="codes.issue",
        actor=actor,
        obj=campaign,
        org=community,
        before={"codes": replaced} if replaced else None,
        after={"households": households, "units": len(holders) - households},
    )
    return [
        Slip(grid=grid, label=label, code=format_code(code), kind=kind)
        for (grid, label, kind), code in zip(holders, codes, strict=True)
    ]


def code_find(code: str) -> VotingCode | None:
    """The code among the open resident campaigns (there are few at any time)."""
    raw = normalise_code(code)
    if len(raw) != CODE_LENGTH:
        return None
    for campaign in Campaign.objects.filter(state=S.OPEN, direction__in=[Direction.COMMUNITY, Direction.WORKER]):
        hashes = [code_hash(raw, key) for key in code_keys(campaign)]
        found = VotingCode.objects.filter(campaign=campaign, code_hash__in=hashes).select_related("campaign").first()
        if found is not None:
            return found
    return None


def code_check(code: str) -> VotingCode:
    """The usable code, or a clear refusal."""
    found = code_find(code)
    if found is None:
        raise DomainError(_("This code is not valid, or its evaluation is not open."), code="code_invalid")
    if found.used:
        raise DomainError(_("This code has already been used: each household votes once."), code="code_used")
    _accepting(found.campaign)
    return found


def household_targets(campaign: Campaign, community: Org) -> list[Target]:
    if campaign.direction == Direction.COMMUNITY:
        return list(campaign.targets.filter(org=community, worker__isnull=True))
    return list(campaign.targets.filter(org=community, worker__isnull=False).select_related("worker"))


@transaction.atomic
def household_vote(*, code: str, ratings: dict[int, dict[int, int]], comments: dict[int, str] | None = None) -> int:
    """A household (or resident unit) votes with its code: one ballot per rated target, the code marked
    used in the same transaction. Nothing written links the ballots to the code. Returns the ballots cast."""
    comments = comments or {}
    found = code_check(code)
    voting_code = VotingCode.objects.select_for_update().select_related("campaign", "community").get(pk=found.pk)
    campaign = voting_code.campaign
    targets = {t.pk: t for t in household_targets(campaign, voting_code.community)}
    unknown = set(ratings) - set(targets)
    if unknown:
        raise DomainError(_("The ballot names someone this community does not rate."), code="invalid")
    if not ratings:
        raise DomainError(_("Rate at least one."), code="incomplete")
    if campaign.direction == Direction.COMMUNITY and set(ratings) != set(targets):
        raise DomainError(_("Rate the community."), code="incomplete")
    opinion = [i for i in campaign.indicators.all() if i.is_opinion]
    checked = {pk: _check_values(campaign, values, opinion) for pk, values in ratings.items()}
    texts = {pk: _clean_comment(comments.get(pk, "")) for pk in checked}
    # The code is spent by a conditional update, so that two submissions racing with one code
    # cannot both pass, whatever the database's locking does.
    if VotingCode.objects.filter(pk=voting_code.pk, used=False).update(used=True) != 1:
        raise DomainError(_("This code has already been used: each household votes once."), code="code_used")
    ballots, scores, remarks = [], [], []
    for pk, values in checked.items():
        ballot = Ballot(target=targets[pk], voter_kind=voting_code.kind)
        ballots.append(ballot)
        scores += [BallotScore(ballot=ballot, indicator_id=k, value=v) for k, v in values.items()]
        if texts[pk]:
            remarks.append(Comment(target=targets[pk], text=texts[pk]))
    Ballot.objects.bulk_create(ballots)
    BallotScore.objects.bulk_create(scores)
    Comment.objects.bulk_create(remarks)
    audit.record(
        action="codes.vote",
        obj=campaign,
        org=voting_code.community,
        after={"voter": voting_code.kind, "ballots": len(ballots)},
    )
    return len(ballots)


# -------------------------------------------------------------------------------------- comments


def comment_moderate(*, actor: User, comment: Comment, approve: bool) -> Comment:
    def moderator(moved: Comment) -> None:
        moved.moderated_by = actor

    return apply(
        COMMENT,
        comment,
        "approve" if approve else "reject",
        actor=actor,
        change=moderator,
        after=lambda moved: {"target": moved.target.name},
    )


# ------------------------------------------------------------------------------- year-end composite

YEAR_END_COLUMNS = ["部门编码", "部门名称", "其他考核得分"]


def year_end_rows(campaign: Campaign) -> list[list]:
    """The template the office fills in: one row per rated department, with any score already set."""
    scores = dict(campaign.year_end_scores.values_list("department_id", "score"))
    return [
        [t.org.code, t.org.name, scores.get(t.org_id, "")]
        for t in campaign.targets.select_related("org").order_by("org__code")
    ]


@transaction.atomic
def year_end_import(*, actor: User, campaign: Campaign, table: Table) -> ImportResult:
    """The rest of each department's year-end assessment (out of 100), from .xlsx or CSV. Any bad row
    and nothing changes."""
    campaign = _lock(campaign)
    require(can_manage_campaign(actor, campaign), _("Only the access office enters year-end scores."))
    if campaign.direction != Direction.DEPARTMENT:
        raise DomainError(_("Only a campaign that rates departments has a year-end composite."))
    table.require(["部门编码", "其他考核得分"])
    departments = {t.org.code: t.org for t in campaign.targets.select_related("org")}
    errors: list[RowError] = []
    parsed: dict[int, tuple[Org, Decimal]] = {}
    for row in table.rows:
        code, raw = row.values.get("部门编码", "").strip(), row.values.get("其他考核得分", "").strip()
        department = departments.get(code)
        if department is None:
            errors.append(
                RowError(
                    row.number, "部门编码", _("%(code)s is not a department rated in this campaign") % {"code": code}
                )
            )
            continue
        if department.pk in parsed:
            errors.append(RowError(row.number, "部门编码", _("%(code)s appears twice") % {"code": code}))
            continue
        if not raw:
            continue  # a department not yet assessed
        try:
            score = Decimal(raw).quantize(Decimal("0.01"))
        except InvalidOperation:
            errors.append(RowError(row.number, "其他考核得分", _("“%(value)s” is not a number") % {"value": raw}))
            continue
        if not Decimal(0) <= score <= Decimal(100):
            errors.append(RowError(row.number, "其他考核得分", _("the score must be from 0 to 100")))
            continue
        parsed[department.pk] = (department, score)
    if errors:
        raise ImportRejected(errors)
    result = ImportResult()
    existing = {y.department_id: y for y in campaign.year_end_scores.all()}
    for department, score in parsed.values():
        current = existing.get(department.pk)
        if current is None:
            YearEndScore.objects.create(campaign=campaign, department=department, score=score)
            result.created += 1
        elif current.score != score:
            current.score = score
            current.save(update_fields=["score"])
            result.updated += 1
        else:
            result.unchanged += 1
    audit.record(
        action="campaign.year_end",
        actor=actor,
        obj=campaign,
        org=campaign.district,
        role=Role.OFFICE,
        after={"created": result.created, "updated": result.updated},
    )
    if campaign.state == S.RELEASED:
        _refresh_composites(campaign)
    return result


def _refresh_composites(campaign: Campaign) -> None:
    """After release the scores are frozen (the communities' rating with them), but the composite follows
    the rest of the assessment."""
    others = dict(campaign.year_end_scores.values_list("department_id", "score"))
    indicators = {i.pk: i for i in campaign.indicators.all()}
    results = list(Result.objects.filter(target__campaign=campaign).select_related("target"))
    # Results released before the communities' rating was frozen with them: the ballots are kept,
    # so the rating is read from them once and frozen now.
    if any("community" not in line for result in results for line in result.breakdown):
        by_communities = scoring.opinion_scores(campaign, communities_only=True)
        for result in results:
            for line in result.breakdown:
                if "community" not in line:
                    indicator = indicators.get(line["indicator"])
                    value = by_communities.get((result.target_id, line["indicator"]))
                    opinion = indicator is not None and indicator.is_opinion
                    line["community"] = str(scoring.rounded(value)) if opinion and value is not None else None
    for result in results:
        rating = scoring.community_rating(scoring.thawed_lines(result.breakdown, indicators))
        result.other_score = others.get(result.target.org_id)
        result.composite = scoring.composite(campaign, rating, result.other_score)
        result.save(update_fields=["other_score", "composite", "breakdown"])
