"""Every change to a case: one function per action, each checking permission, locking the case,
checking its state against the transition table, applying it, writing the history and the audit.

Stage deadlines are set as the case moves (deadlines.py); points follow the rules in conf.py."""

import datetime as dt
import secrets

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from jianfu.audit import services as audit
from jianfu.catalog.models import Category
from jianfu.core import clock, dirty
from jianfu.core.crypto import is_valid_phone, normalize_phone
from jianfu.core.errors import DomainError, InvalidTransition, PermissionDenied
from jianfu.core.numbering import next_number
from jianfu.core.uploads import check_file_type
from jianfu.orgs.models import DEPARTMENT_KINDS, Org, OrgKind, Role, User
from jianfu.orgs.permissions import memberships, reaches

from . import deadlines
from .conf import conf
from .models import (
    FINAL_STATES,
    Case,
    CaseEvent,
    CaseKind,
    CasePhoto,
    Channel,
    Commitment,
    Escalation,
    HandledAt,
    Matter,
    PointEntry,
    PointRule,
    RequestType,
    Satisfaction,
    ServiceItem,
    State,
)
from .permissions import (
    DISPATCHER_ROLES,
    assignee_roles,
    can_confirm,
    can_dispatch,
    can_handle,
    can_manage_commitment,
    can_report_in,
)

S = State
# action: (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[set[str], str]] = {
    "accept": ({S.REPORTED}, S.ACCEPTED),
    "dispatch": ({S.ACCEPTED}, S.DISPATCHED),
    "respond": ({S.DISPATCHED}, S.RESPONDED),
    "resolve": ({S.RESPONDED, S.REOPENED}, S.RESOLVED),
    "return": ({S.DISPATCHED, S.RESPONDED}, S.ACCEPTED),
    "reassign": ({S.DISPATCHED, S.RESPONDED, S.REOPENED}, S.DISPATCHED),
    "reopen": ({S.RESOLVED}, S.REOPENED),
    "confirm": ({S.RESOLVED}, S.CONFIRMED),
    "close": ({S.CONFIRMED}, S.CLOSED),
    "merge": ({S.REPORTED, S.ACCEPTED}, S.MERGED),
}
# A service item done at the window is resolved straight after it is accepted (一次办结).
SERVICE_EXTRA: dict[str, set[str]] = {"resolve": {S.ACCEPTED}}
# Entries in the history that do not move the case.
NOTES = {"report", "dispute", "escalate", "absorb"}

ACTION_LABELS = {
    "report": pgettext_lazy("cases", "reported"),
    "accept": pgettext_lazy("cases", "accepted"),
    "dispatch": pgettext_lazy("cases", "dispatched"),
    "whistle": pgettext_lazy("cases", "whistle blown"),
    "respond": pgettext_lazy("cases", "responded"),
    "resolve": pgettext_lazy("cases", "resolved"),
    "return": pgettext_lazy("cases", "returned"),
    "reassign": pgettext_lazy("cases", "reassigned"),
    "dispute": pgettext_lazy("cases", "disputed"),
    "reopen": pgettext_lazy("cases", "reopened"),
    "confirm": pgettext_lazy("cases", "confirmed"),
    "close": pgettext_lazy("cases", "closed"),
    "merge": pgettext_lazy("cases", "merged"),
    "absorb": pgettext_lazy("cases", "took in a duplicate"),
    "escalate": pgettext_lazy("cases", "escalated to the office"),
}
QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read out over the phone
QUERY_CODE_LENGTH = 10  # 50 bits: not guessable


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _lock(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("org_unit", "assignee", "matter", "matter__group", "service_item")
        .get(pk=case.pk)
    )


def allowed_actions(case: Case) -> set[str]:
    actions = {a for a, (sources, _) in TRANSITIONS.items() if case.state in sources}
    if case.kind == CaseKind.SERVICE and case.service_item.handled_at == HandledAt.WINDOW:
        actions |= {a for a, sources in SERVICE_EXTRA.items() if case.state in sources}
    return actions


def _mark_dirty(case: Case) -> None:
    """The monitor counts a case in the months it was dispatched and closed (district from its path)."""
    district = int(case.org_path.strip("/").split("/")[0])
    for moment in (case.dispatched_at, case.closed_at):
        dirty.mark_on(district, moment)


def _check(case: Case, action: str) -> str:
    if action not in allowed_actions(case):
        raise InvalidTransition(
            _("This case is “%(state)s”; it cannot be %(action)s now.")
            % {"state": case.get_state_display(), "action": ACTION_LABELS[action]}
        )
    return TRANSITIONS[action][1]


def _event(case: Case, action: str, before: str, *, actor, org, reason: str, at: dt.datetime) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        action=action,
        from_state=before,
        to_state=case.state,
        actor=actor,
        org=org,
        assignee=case.assignee,
        reason=reason,
        at=at,
    )


def _audit(case: Case, action: str, before: str, *, actor, org, role: str, reason: str = "", extra=None) -> None:
    after = {"state": case.state, "assignee": case.assignee.code if case.assignee_id else ""}
    audit.record(
        action=f"case.{action}",
        actor=actor,
        obj=case,
        org=org,
        role=role,
        before={"state": before},
        after=after | (extra or {}),
        reason=reason,
    )


def _stage_due(case: Case, now: dt.datetime) -> dt.datetime | None:
    """The deadline of the stage the case has just entered."""
    state = case.state
    if state == S.REPORTED:
        key = "SERVICE_ACCEPT_WORKDAYS" if case.kind == CaseKind.SERVICE else "ACCEPT_WORKDAYS"
        return deadlines.after(now, days=conf(key))
    if case.kind == CaseKind.SERVICE:
        if state in {S.ACCEPTED, S.DISPATCHED, S.RESPONDED, S.REOPENED}:
            return case.resolve_due
    elif state == S.ACCEPTED:
        return deadlines.after(now, days=conf("ACCEPT_WORKDAYS"))
    elif state == S.DISPATCHED:
        return case.respond_due
    elif state in {S.RESPONDED, S.REOPENED}:
        return case.resolve_due
    if state == S.RESOLVED:
        return deadlines.after(now, days=conf("REVISIT_WORKDAYS"))
    return None


def _move(case: Case, action: str, *, actor, org, role: str, reason: str = "", extra=None) -> Case:
    """Apply a transition (already checked), stamp it, set the new stage's deadline, record it."""
    now = clock.now()
    before = case.state
    case.state = TRANSITIONS[action][1]
    stamp = {
        S.ACCEPTED: "accepted_at",
        S.DISPATCHED: "dispatched_at",
        S.RESPONDED: "responded_at",
        S.RESOLVED: "resolved_at",
        S.CONFIRMED: "confirmed_at",
        S.CLOSED: "closed_at",
    }.get(case.state)
    if stamp and action != "return":
        setattr(case, stamp, now)
    case.stage_due = _stage_due(case, now)
    case.updated_at = now
    case.save()
    _mark_dirty(case)
    _event(case, action, before, actor=actor, org=org, reason=reason, at=now)
    _audit(case, action, before, actor=actor, org=org, role=role, reason=reason, extra=extra)
    return case


def _note(case: Case, action: str, *, actor, org, role: str, reason: str) -> None:
    now = clock.now()
    case.updated_at = now
    case.save(update_fields=["updated_at", "disputed"])
    _mark_dirty(case)
    _event(case, action, case.state, actor=actor, org=org, reason=reason, at=now)
    _audit(case, action, case.state, actor=actor, org=org, role=role, reason=reason)


def _acting_org(user: User, org: Org, roles: set[str]) -> tuple[Org | None, str]:
    """The organisation and role under which the user acts on `org` (for the history): their own
    membership over it, else the office of the district."""
    for m in memberships(user):
        if m.role in roles and org.path.startswith(m.org.path):
            return m.org, m.role
    return Org.objects.filter(pk=org.district_id).first(), Role.OFFICE


def _reason_required(reason: str, message: str) -> str:
    if not (reason or "").strip():
        raise DomainError(message)
    return reason.strip()


# ------------------------------------------------------------------------------------ reporting


def _channel_for(user: User, org_unit: Org) -> str:
    for role, channel in (
        (Role.GRID, Channel.GRID),
        (Role.COMMUNITY, Channel.COMMUNITY),
        (Role.STREET, Channel.STREET),
    ):
        if reaches(user, org_unit, {role}):
            return channel
    return Channel.RESIDENT


def _check_location(lat, long) -> None:
    if (lat is None) != (long is None):
        raise DomainError(_("Give both latitude and longitude, or neither."))
    if lat is not None and not (-90 <= lat <= 90 and -180 <= long <= 180):
        raise DomainError(_("The coordinates are not valid."))


def _check_photo(upload) -> None:
    name = (upload.name or "").lower()
    if not name.endswith(conf("PHOTO_SUFFIXES")):
        raise DomainError(_("A photo must be a JPEG, PNG, WebP, HEIC or GIF image."))
    if upload.size > conf("PHOTO_MAX_BYTES"):
        raise DomainError(_("A photo may be at most 10 MB."))
    check_file_type(upload)


def _add_photos(case: Case, photos, *, actor, stage: str) -> None:
    for upload in photos or ():
        _check_photo(upload)
        CasePhoto.objects.create(
            case=case, image=upload, name=upload.name, stage=stage, uploaded_by=actor, uploaded_at=clock.now()
        )


@transaction.atomic
def case_report(
    *,
    actor: User,
    org_unit: Org,
    matter: Matter,
    description: str,
    address: str = "",
    address_ref=None,
    lat=None,
    long=None,
    request_type: str = RequestType.HELP,
    photos=(),
    channel: str | None = None,
    media_url: str = "",
) -> Case:
    """A grid worker, community or street worker, or resident reports a matter. Photos and
    coordinates are optional; nothing about where the reporter is is recorded."""
    _require(can_report_in(actor, org_unit), _("You may report only where you work or live."))
    if org_unit.kind not in {OrgKind.COMMUNITY, OrgKind.GRID}:
        raise DomainError(_("Report a matter in a community or a grid."))
    if not matter.active or matter.group.district_id != org_unit.district_id:
        raise DomainError(_("This matter is not available here."))
    if not (description or "").strip():
        raise DomainError(_("Describe the matter."))
    if request_type not in RequestType.values:
        raise DomainError(_("Choose the type of request."))
    _check_location(lat, long)
    now = clock.now()
    case = Case(
        number=next_number("SJ", clock.today().year),
        kind=CaseKind.EVENT,
        matter=matter,
        request_type=request_type,
        org_unit=org_unit,
        org_path=org_unit.path,
        address=address.strip() or (address_ref.label if address_ref else ""),
        address_ref=address_ref,
        lat=lat,
        long=long,
        description=description.strip(),
        media_url=media_url,
        reporter=actor,
        channel=channel or _channel_for(actor, org_unit),
        reported_at=now,
        updated_at=now,
    )
    case.stage_due = _stage_due(case, now)
    case.save()
    _mark_dirty(case)  # nothing yet (not dispatched): kept so every save of a case marks
    _add_photos(case, photos, actor=actor, stage=S.REPORTED)
    _event(case, "report", "", actor=actor, org=org_unit, reason="", at=now)
    audit.record(
        action="case.report",
        actor=actor,
        obj=case,
        org=org_unit,
        after={"matter": matter.code, "state": case.state, "channel": case.channel, "photos": len(photos or ())},
    )
    return case


@transaction.atomic
def case_accept(*, actor: User, case: Case, reason: str = "") -> Case:
    case = _lock(case)
    _require(can_dispatch(actor, case), _("Only the community or street over this place accepts it."))
    _check(case, "accept")
    org, role = _acting_org(actor, case.org_unit, DISPATCHER_ROLES)
    return _move(case, "accept", actor=actor, org=org, role=role, reason=reason)


# ------------------------------------------------------------------------------------ dispatch


def department_matter(case: Case, today: dt.date | None = None):
    """The list item that makes this matter a department's own business, or None.

    国办函〔2025〕66号: what the lists give a department is never dispatched to a community or grid.
    The matter's own list item decides first; otherwise its name and description are matched
    against the district's lists (negative list: the department's duty; not in force: not approved)."""
    from jianfu.access import overlap

    today = today or clock.today()
    item = case.matter.work_item if case.matter_id else None
    if item is not None:
        if item.category == Category.NEGATIVE or not item.is_in_force(today):
            return item
        return None
    district = Org.objects.get(pk=case.org_unit.district_id)
    result = overlap.check_request(f"{case.subject}\n{case.description}", district=district)
    return result.item if result.status == "negative" else None


def check_dispatch(case: Case, assignee: Org) -> None:
    """Refuse a dispatch the rules do not allow; say why, naming the list and the department."""
    if assignee.district_id != case.org_unit.district_id:
        raise DomainError(_("Dispatch within the district only."))
    if assignee.kind in DEPARTMENT_KINDS:
        return
    if case.kind == CaseKind.SERVICE:
        raise DomainError(_("A service application is passed on to a department only."))
    if assignee.kind not in {OrgKind.COMMUNITY, OrgKind.GRID}:
        raise DomainError(_("Dispatch to a department, a community or a grid."))
    community = case.org_unit if case.org_unit.kind == OrgKind.COMMUNITY else case.org_unit.parent
    if not assignee.is_within(community):
        raise DomainError(_("Only the community of the place, or one of its grids, may be given this case."))
    item = department_matter(case)
    if item is not None:
        raise DomainError(
            _(
                "“%(item)s” is the responsibility of %(department)s under the lists (%(list)s): "
                "it may not be dispatched to a community or grid. Blow the whistle to the department."
            )
            % {
                "item": item.name,
                "department": item.issuing_body,
                "list": item.get_category_display(),
            },
            code="department_matter",
        )


def _respond_due(case: Case, assignee: Org, now: dt.datetime) -> dt.datetime | None:
    if case.kind == CaseKind.SERVICE:
        return None
    if assignee.kind not in DEPARTMENT_KINDS:
        return deadlines.after(now, days=conf("LOCAL_RESPOND_WORKDAYS"))
    matter, group = case.matter, case.matter.group
    minutes = matter.respond_minutes or group.respond_minutes
    return deadlines.after(now, minutes=minutes, days=group.respond_workdays)


def _resolve_workdays(case: Case) -> int:
    if case.kind == CaseKind.SERVICE:
        return case.service_item.time_limit_workdays
    return case.matter.resolve_workdays or case.matter.group.resolve_workdays


def _assign(case: Case, assignee: Org, now: dt.datetime) -> None:
    case.assignee = assignee
    case.whistle = case.kind == CaseKind.EVENT and assignee.kind in DEPARTMENT_KINDS
    case.disputed = False
    case.respond_due = _respond_due(case, assignee, now)
    case.responded_at = None
    case.responded_on_time = None
    if case.kind == CaseKind.EVENT:
        case.resolve_due = None
        case.resolved_on_time = None


@transaction.atomic
def case_dispatch(*, actor: User, case: Case, assignee: Org, reason: str = "") -> Case:
    """Give the case to a department or party branch (blowing the whistle) or, when the lists allow
    it, to the community or one of its grids."""
    case = _lock(case)
    _require(can_dispatch(actor, case), _("Only the community or street over this place dispatches it."))
    _check(case, "dispatch")
    check_dispatch(case, assignee)
    org, role = _acting_org(actor, case.org_unit, DISPATCHER_ROLES)
    _assign(case, assignee, clock.now())
    case.dispatcher = org
    return _move(case, "dispatch", actor=actor, org=org, role=role, reason=reason, extra={"whistle": case.whistle})


@transaction.atomic
def case_take_and_dispatch(*, actor: User, case: Case, assignee: Org, reason: str = "") -> Case:
    """Accept a reported case and dispatch it in one go: two transitions, both in the history."""
    if case.state == S.REPORTED:
        case = accept(actor=actor, case=case)
    return case_dispatch(actor=actor, case=case, assignee=assignee, reason=reason)


@transaction.atomic
def whistle_blow(*, actor: User, assignee: Org, case: Case | None = None, reason: str = "", **report) -> Case:
    """社区吹哨: from a reported case (accepting it first), or a new one the community raises itself."""
    if assignee.kind not in DEPARTMENT_KINDS:
        raise DomainError(_("A whistle is blown to a department or its party branch."))
    if case is None:
        case = case_report(actor=actor, **report)
    return case_take_and_dispatch(actor=actor, case=case, assignee=assignee, reason=reason)


@transaction.atomic
def case_respond(*, actor: User, case: Case, note: str = "") -> Case:
    """报到: the assignee has arrived and takes the case on."""
    case = _lock(case)
    _require(can_handle(actor, case), _("Only the assigned department or unit responds."))
    _check(case, "respond")
    now = clock.now()
    case.responded_on_time = case.respond_due is None or now <= case.respond_due
    case.resolve_due = (
        deadlines.after(now, days=_resolve_workdays(case)) if case.kind == CaseKind.EVENT else case.resolve_due
    )
    org, role = _acting_org(actor, case.assignee, assignee_roles(case.assignee))
    _move(case, "respond", actor=actor, org=org, role=role, reason=note)
    _award(case, PointRule.RESPOND_ON_TIME if case.responded_on_time else PointRule.RESPOND_LATE, now)
    return case


@transaction.atomic
def case_resolve(*, actor: User, case: Case, note: str, photos=()) -> Case:
    case = _lock(case)
    _require(can_handle(actor, case), _("Only the assigned department or unit resolves it."))
    _check(case, "resolve")
    note = _reason_required(note, _("Say what was done."))
    now = clock.now()
    case.resolved_on_time = case.resolve_due is None or now <= case.resolve_due
    if case.assignee_id:
        org, role = _acting_org(actor, case.assignee, assignee_roles(case.assignee))
    else:  # a service done at the window
        org, role = _acting_org(actor, case.org_unit, DISPATCHER_ROLES)
    _move(case, "resolve", actor=actor, org=org, role=role, reason=note)
    _add_photos(case, photos, actor=actor, stage=S.RESOLVED)
    if not case.points.filter(
        rule__in=[PointRule.RESOLVE_ON_TIME, PointRule.RESOLVE_LATE], department=case.assignee_id
    ).exists():
        _award(case, PointRule.RESOLVE_ON_TIME if case.resolved_on_time else PointRule.RESOLVE_LATE, now)
    return case


@transaction.atomic
def case_return(*, actor: User, case: Case, reason: str) -> Case:
    """退单: the assignee hands the case back to the dispatcher, with the reason."""
    case = _lock(case)
    _require(can_handle(actor, case) and case.assignee_id is not None, _("Only the assignee may return a case."))
    _check(case, "return")
    reason = _reason_required(reason, _("Say why the case is returned."))
    org, role = _acting_org(actor, case.assignee, assignee_roles(case.assignee))
    returned_by = case.assignee.code
    case.assignee, case.whistle, case.disputed = None, False, False
    case.respond_due, case.responded_at = None, None
    if case.kind == CaseKind.EVENT:  # a service keeps its legal time limit, which runs from acceptance
        case.resolve_due = None
    return _move(case, "return", actor=actor, org=org, role=role, reason=reason, extra={"returned_by": returned_by})


@transaction.atomic
def case_dispute(*, actor: User, case: Case, reason: str) -> Case:
    """异议: the assignee contests the dispatch; the dispatcher or the office decides (reassign or not)."""
    case = _lock(case)
    _require(can_handle(actor, case) and case.assignee_id is not None, _("Only the assignee may dispute a case."))
    if case.state not in {S.DISPATCHED, S.RESPONDED, S.REOPENED}:
        raise InvalidTransition(_("Only a case with its assignee can be disputed."))
    reason = _reason_required(reason, _("Say why you dispute it."))
    org, role = _acting_org(actor, case.assignee, assignee_roles(case.assignee))
    case.disputed = True
    _note(case, "dispute", actor=actor, org=org, role=role, reason=reason)
    return case


@transaction.atomic
def case_reassign(*, actor: User, case: Case, assignee: Org, reason: str) -> Case:
    """改派: the dispatcher or the office gives the case to someone else, with the reason."""
    case = _lock(case)
    _require(can_dispatch(actor, case), _("Only the dispatcher or the office reassigns a case."))
    _check(case, "reassign")
    reason = _reason_required(reason, _("Say why the case is reassigned."))
    if assignee.pk == case.assignee_id:
        raise DomainError(_("The case is already with them."))
    check_dispatch(case, assignee)
    org, role = _acting_org(actor, case.org_unit, DISPATCHER_ROLES)
    previous = case.assignee.code if case.assignee_id else ""
    _assign(case, assignee, clock.now())
    case.dispatcher = org
    return _move(case, "reassign", actor=actor, org=org, role=role, reason=reason, extra={"previous": previous})


@transaction.atomic
def case_confirm(
    *, actor: User, case: Case, solved: bool = True, satisfaction: str = "", note: str = "", reopen: bool = True
) -> Case:
    """The revisit (回访): the reporter, or the community for them, says whether it is fixed and how
    satisfied they are. "Not fixed" reopens the case — or, when nothing more can be done (the
    request is outside policy, or it was reopened before), closes the revisit as not solved, which
    counts against the resolution rate."""
    if not solved and reopen:
        return case_reopen(actor=actor, case=case, reason=note)
    case = _lock(case)
    _require(can_confirm(actor, case), _("Only the reporter or the community confirms the result."))
    _check(case, "confirm")
    if satisfaction not in Satisfaction.values:
        raise DomainError(_("Say how satisfied the reporter is."))
    if not solved:
        note = _reason_required(note, _("Say why it stays unsolved."))
    case.solved, case.satisfaction = solved, satisfaction
    org, role = _confirming(actor, case)
    extra = {"satisfaction": satisfaction, "solved": solved}
    _move(case, "confirm", actor=actor, org=org, role=role, reason=note, extra=extra)
    _award(case, PointRule(satisfaction), clock.now())
    return case


def _confirming(actor: User, case: Case) -> tuple[Org | None, str]:
    if case.reporter_id == actor.pk:
        return case.org_unit, ""
    return _acting_org(actor, case.org_unit, DISPATCHER_ROLES)


@transaction.atomic
def case_reopen(*, actor: User, case: Case, reason: str) -> Case:
    case = _lock(case)
    _require(can_confirm(actor, case), _("Only the reporter or the community reopens a case."))
    _check(case, "reopen")
    reason = _reason_required(reason, _("Say what is still not fixed."))
    now = clock.now()
    case.reopen_count += 1
    case.solved = False
    case.resolve_due = deadlines.after(now, days=_resolve_workdays(case))
    case.resolved_on_time = None
    org, role = _confirming(actor, case)
    _move(case, "reopen", actor=actor, org=org, role=role, reason=reason)
    _award(case, PointRule.REOPENED, now)
    return case


@transaction.atomic
def case_close(*, actor: User, case: Case, reason: str = "") -> Case:
    case = _lock(case)
    _require(can_dispatch(actor, case), _("Only the community, the street or the office closes a case."))
    _check(case, "close")
    org, role = _acting_org(actor, case.org_unit, DISPATCHER_ROLES)
    return _move(case, "close", actor=actor, org=org, role=role, reason=reason)


@transaction.atomic
def case_merge(*, actor: User, case: Case, into: Case, reason: str = "") -> Case:
    """Duplicate reports of one matter are merged: the duplicate follows the case it joins."""
    case = _lock(case)
    into = _lock(into)
    _require(can_dispatch(actor, case) and can_dispatch(actor, into), _("Only the dispatcher merges cases."))
    _check(case, "merge")
    if case.pk == into.pk or into.state in FINAL_STATES or case.kind != into.kind:
        raise DomainError(_("Merge into another open case of the same kind."))
    org, role = _acting_org(actor, case.org_unit, DISPATCHER_ROLES)
    case.merged_into = into
    reason = reason or _("Duplicate of %(number)s") % {"number": into.number}
    _move(case, "merge", actor=actor, org=org, role=role, reason=reason, extra={"into": into.number})
    _note(into, "absorb", actor=actor, org=org, role=role, reason=_("Took in %(number)s") % {"number": case.number})
    return case


# ---------------------------------------------------------------------------------------- points


def _award(case: Case, rule: str, now: dt.datetime) -> PointEntry | None:
    """Points go to the department answering a whistle, in the month the whistle was dispatched."""
    if not case.whistle or case.assignee_id is None or case.dispatched_at is None:
        return None
    entry = PointEntry.objects.create(
        department=case.assignee,
        case=case,
        rule=rule,
        points=conf("POINTS")[rule],
        period=deadlines.period_of(case.dispatched_at),
        at=now,
    )
    return entry


# ------------------------------------------------------------------------------------ escalation


def escalate_overdue(*, now: dt.datetime | None = None) -> list[Escalation]:
    """Flag each overdue stage once and escalate it to the office (timer job, run_timers)."""
    now = now or clock.now()
    made = []
    flagged = Escalation.objects.filter(case=OuterRef("pk"), state=OuterRef("state"), due=OuterRef("stage_due"))
    candidates = (
        Case.objects.filter(stage_due__lt=now)
        .exclude(state__in=FINAL_STATES | {S.CONFIRMED})
        .filter(~Exists(flagged))
        .values_list("pk", flat=True)
    )
    for pk in list(candidates):
        with transaction.atomic():
            case = _lock(Case(pk=pk))
            if not case.is_overdue(now) or case.escalations.filter(state=case.state, due=case.stage_due).exists():
                continue
            office = Org.objects.get(pk=case.org_unit.district_id)
            escalation = Escalation.objects.create(
                case=case, office=office, state=case.state, due=case.stage_due, at=now
            )
            reason = _("%(stage)s overdue since %(due)s") % {
                "stage": case.get_state_display(),
                "due": deadlines.local_text(case.stage_due),
            }
            _event(case, "escalate", case.state, actor=None, org=office, reason=reason, at=now)
            audit.record(
                action="case.escalate",
                obj=case,
                org=office,
                after={
                    "state": case.state,
                    "due": case.stage_due,
                    "assignee": case.assignee.code if case.assignee_id else "",
                },
                reason=reason,
            )
            made.append(escalation)
    return made


# ------------------------------------------------------------------------------ one-window service


def _query_code() -> str:
    while True:
        code = "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(QUERY_CODE_LENGTH))
        if not Case.objects.filter(query_code=code).exists():
            return code


@transaction.atomic
def service_apply(
    *,
    actor: User,
    community: Org,
    item: ServiceItem,
    applicant_name: str,
    applicant_phone: str,
    description: str = "",
    photos=(),
) -> Case:
    """A resident applies online, or a worker opens the application at the window (and accepts it
    there and then: 一窗受理). The applicant follows it with the query code."""
    if community.kind != OrgKind.COMMUNITY:
        raise DomainError(_("Apply at a community."))
    at_window = reaches(actor, community, {Role.COMMUNITY})
    _require(
        at_window or reaches(actor, community, {Role.RESIDENT}),
        _("Apply in your own community, or at its window."),
    )
    if not item.active or item.department.district_id != community.district_id:
        raise DomainError(_("This service item is not offered here."))
    if not applicant_name.strip():
        raise DomainError(_("Give the applicant's name."))
    if not is_valid_phone(applicant_phone):
        raise DomainError(_("Give a valid mobile or landline number for the applicant."))
    now = clock.now()
    case = Case(
        number=next_number("FW", clock.today().year),
        kind=CaseKind.SERVICE,
        service_item=item,
        request_type=RequestType.HELP,
        org_unit=community,
        org_path=community.path,
        description=description.strip() or item.name,
        reporter=actor,
        channel=Channel.WINDOW if at_window else Channel.RESIDENT,
        applicant_name=applicant_name.strip(),
        applicant_phone=normalize_phone(applicant_phone),
        query_code=_query_code(),
        reported_at=now,
        updated_at=now,
    )
    case.stage_due = _stage_due(case, now)
    case.save()
    _mark_dirty(case)  # nothing yet (not dispatched): kept so every save of a case marks
    _add_photos(case, photos, actor=actor, stage=S.REPORTED)
    _event(case, "report", "", actor=actor, org=community, reason="", at=now)
    audit.record(
        action="case.apply", actor=actor, obj=case, org=community, after={"item": item.code, "channel": case.channel}
    )
    if at_window:
        case = service_accept(actor=actor, case=case)
    return case


@transaction.atomic
def service_accept(*, actor: User, case: Case, reason: str = "") -> Case:
    """受理: the legal time limit starts now."""
    case = _lock(case)
    _require(can_dispatch(actor, case), _("Only the community window accepts an application."))
    _check(case, "accept")
    case.resolve_due = deadlines.after(clock.now(), days=case.service_item.time_limit_workdays)
    org, role = _acting_org(actor, case.org_unit, DISPATCHER_ROLES)
    return _move(case, "accept", actor=actor, org=org, role=role, reason=reason)


def accept(*, actor: User, case: Case, reason: str = "") -> Case:
    if case.kind == CaseKind.SERVICE:
        return service_accept(actor=actor, case=case, reason=reason)
    return case_accept(actor=actor, case=case, reason=reason)


# ------------------------------------------------------------------------------------ commitments


@transaction.atomic
def commitment_save(
    *, actor: User, department: Org, duties: str, duty_phone: str, complaint_phone: str, hours: str = "", streets=()
) -> Commitment:
    """四到社区: a department publishes its duties and phones on the community pages."""
    _require(can_manage_commitment(actor, department), _("Only the department's clerk or the office may change this."))
    if department.kind not in DEPARTMENT_KINDS:
        raise DomainError(_("Commitments are made by departments."))
    if not duties.strip():
        raise DomainError(_("Describe the department's duties towards residents."))
    for phone in (duty_phone, complaint_phone):
        if not is_valid_phone(phone) and not phone.strip().isdigit():
            raise DomainError(_("“%(phone)s” is not a valid phone number.") % {"phone": phone})
    commitment = Commitment.objects.select_for_update().filter(department=department).first()
    before = None
    if commitment is None:
        commitment = Commitment(department=department)
    else:
        before = {
            "duties": commitment.duties,
            "duty_phone": commitment.duty_phone,
            "complaint_phone": commitment.complaint_phone,
        }
    commitment.duties, commitment.hours = duties.strip(), hours.strip()
    commitment.duty_phone, commitment.complaint_phone = duty_phone.strip(), complaint_phone.strip()
    commitment.updated_at = clock.now()
    commitment.save()
    commitment.streets.set(streets)
    audit.record(
        action="commitment.save",
        actor=actor,
        obj=commitment,
        org=department,
        before=before,
        after={
            "duties": commitment.duties,
            "duty_phone": commitment.duty_phone,
            "complaint_phone": commitment.complaint_phone,
        },
    )
    return commitment
