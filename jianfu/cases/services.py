"""Every change to a case: one function per action. Each locks the case and asks the workflow
kernel (machines.CASE) whether the actor may take the action from the case's state, checks its own
inputs, then moves it with jianfu.core.workflow.apply: one history row (with the organisation acted
for and the assignee after the step) and one audit entry per step.

What each step changes on the case (its own edits, the new stage's deadline, the points it earns)
is in steps.py, which the demo's and the scale generator's bulk replays share."""

import datetime as dt
import secrets
from collections.abc import Callable

from django.db import transaction
from django.db.models import Exists, OuterRef, prefetch_related_objects
from django.utils.translation import gettext as _

from jianfu.access import arrivals
from jianfu.access.models import CheckChannel
from jianfu.audit import services as audit
from jianfu.catalog import gate
from jianfu.catalog.models import Category, WorkItem
from jianfu.core import clock, dirty
from jianfu.core.crypto import is_valid_phone, normalize_phone
from jianfu.core.errors import DomainError, RefusedAtGate
from jianfu.core.numbering import next_number
from jianfu.core.uploads import check_file_type
from jianfu.core.workflow import apply, check, opened, require
from jianfu.orgs.models import DEPARTMENT_KINDS, Org, OrgKind, Role, User
from jianfu.orgs.permissions import memberships, reaches

from . import steps
from .conf import conf
from .machines import CASE, SERVICE_EXTRA
from .machines import NOTES as _NOTE_ACTIONS
from .models import (
    FINAL_STATES,
    Case,
    CaseKind,
    CasePhoto,
    Channel,
    Escalation,
    GroupKind,
    HandledAt,
    Matter,
    MatterGroup,
    RequestType,
    Satisfaction,
    ServiceItem,
    State,
)
from .permissions import (
    DISPATCHER_ROLES,
    assignee_roles,
    can_dispatch,
    can_report_in,
    resolvable,
)

S = State
# action: (states it may start from, state it leads to): the machine's moves, read by the tests.
TRANSITIONS: dict[str, tuple[set[str], str]] = {
    name: (set(action.sources) - SERVICE_EXTRA.get(name, set()), action.target)
    for name, action in CASE.actions.items()
    if action.target is not None
}
# Entries in the history that do not move the case: the report (from no state) and the machine's notes.
NOTES = _NOTE_ACTIONS | {"report"}

QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read out over the phone
QUERY_CODE_LENGTH = 10  # 50 bits: not guessable


def allowed_actions(case: Case) -> set[str]:
    """The moves the case's state allows, whoever asks (a window service is resolved once accepted)."""
    return {a for a in CASE.startable(case) if a in TRANSITIONS and (a != "resolve" or resolvable(case))}


def _mark_dirty(case: Case, *earlier) -> None:
    """The monitor counts a case in the months it was dispatched and closed (district from its path);
    `earlier`: those moments before the step, whose months lose it when a step moves them."""
    district = int(case.org_path.strip("/").split("/")[0])
    for moment in {case.dispatched_at, case.closed_at, *earlier}:
        dirty.mark_on(district, moment)


def _start(case: Case, action: str, actor: User) -> Case:
    """Lock the case; refuse (nothing changed) unless the actor may take the action from its state.
    The service then checks its own inputs before `_act` moves the case."""
    case = CASE.lock(case)
    check(CASE, case, action, actor)
    return case


def _act(
    case: Case,
    action: str,
    *,
    actor: User,
    org: Org | None,
    role: str,
    note: str = "",
    after: Callable[[Case], dict] | dict | None = None,
    **params,
) -> Case:
    """Move the locked case by the machine, with the step's own edits (steps.edit; `params`: its
    inputs) and the points it earns. The history row records the organisation acted for and whom the
    case is with after the step; the audit entry the assignee's code."""
    row: dict = {"org": org}
    before = (case.dispatched_at, case.closed_at)

    def edit(c: Case) -> None:
        steps.edit(c, action, c.updated_at, **params)  # updated_at: the move's moment, stamped
        row["assignee"] = c.assignee  # after the edits: read when the history row is written

    case = apply(
        CASE,
        case,
        action,
        actor=actor,
        org=org,
        note=note,
        role=role,
        change=edit,
        history=row,
        after=lambda c: (
            {"assignee": c.assignee.code if c.assignee_id else ""} | (after(c) if callable(after) else after or {})
        ),
        locked=True,
    )
    entry = steps.points(case, action, case.updated_at, earlier=case.points.filter(rule__in=steps.RESOLVE_RULES))
    if entry is not None:
        entry.save()
    _mark_dirty(case, *before)
    return case


def _opened(case: Case, *, actor: User, org: Org, audit_action: str, after: dict) -> None:
    """The first entry of a new case's history (from no state to reported) and its audit entry."""
    opened(
        CASE,
        case,
        "report",
        actor=actor,
        org=org,
        at=case.reported_at,
        audit_action=audit_action,
        history={"org": org},
        after=after,
    )


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
    require(can_report_in(actor, org_unit), _("You may report only where you work or live."))
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
    )
    steps.report(case, now)
    case.save()
    _mark_dirty(case)  # nothing yet (not dispatched): kept so every save of a case marks
    _add_photos(case, photos, actor=actor, stage=S.REPORTED)
    _opened(
        case,
        actor=actor,
        org=org_unit,
        audit_action="case.report",
        after={"matter": matter.code, "state": case.state, "channel": case.channel, "photos": len(photos or ())},
    )
    return case


@transaction.atomic
def case_accept(*, actor: User, case: Case, reason: str = "") -> Case:
    case = _start(case, "accept", actor)
    org, role = _acting_org(actor, case.org_unit, DISPATCHER_ROLES)
    return _act(case, "accept", actor=actor, org=org, role=role, note=reason)


# ------------------------------------------------------------------------------------ dispatch


def community_of(case: Case) -> Org:
    """The community of the place of a case (reported in a community or one of its grids)."""
    return case.org_unit if case.org_unit.kind == OrgKind.COMMUNITY else case.org_unit.parent


def department_matter(case: Case, today: dt.date | None = None):
    """The list item that keeps this matter from the community of the place and its grids, or None.

    国办函〔2025〕66号: what the lists give a department is never dispatched to a community or grid.
    The matter's own list item decides first, by the gate (jianfu.catalog.gate): unless it is in force
    for this community (kind, list, year, approved streets and community types), the case stays with
    a department. Otherwise its name and description are matched against the district's lists
    (negative list: the department's duty)."""
    from jianfu.access import overlap

    today = today or clock.today()
    item = case.matter.work_item if case.matter_id else None
    if item is not None:
        return item if gate.refusal(item, community_of(case), on=today) else None
    district = Org.objects.get(pk=case.org_unit.district_id)
    result = overlap.check_request(f"{case.subject}\n{case.description}", district=district)
    return result.item if result.status == "negative" else None


def check_dispatch(case: Case, assignee: Org, sender: Org | None = None) -> None:
    """Refuse a dispatch the rules do not allow; say why, naming the list and the department. A
    refusal by the lists is the gate's (RefusedAtGate): kept as an arrival at the community, sent by
    `sender` (the dispatcher)."""
    if assignee.district_id != case.org_unit.district_id:
        raise DomainError(_("Dispatch within the district only."))
    if assignee.kind in DEPARTMENT_KINDS:
        return
    if case.kind == CaseKind.SERVICE:
        raise DomainError(_("A service application is passed on to a department only."))
    if assignee.kind not in {OrgKind.COMMUNITY, OrgKind.GRID}:
        raise DomainError(_("Dispatch to a department, a community or a grid."))
    community = community_of(case)
    if not assignee.is_within(community):
        raise DomainError(_("Only the community of the place, or one of its grids, may be given this case."))
    item = department_matter(case)
    if item is None:
        return
    if item.category == Category.NEGATIVE:
        reason = _(
            "“%(item)s” is the responsibility of %(department)s under the lists (%(list)s): "
            "it may not be dispatched to a community or grid. Give it to the department."
        ) % {
            "item": item.name,
            "department": item.issuing_body,
            "list": item.get_category_display(),
        }
        message = reason
    else:
        reason = gate.refusal(item, community)
        message = _(
            "A community or grid is given this case only under its list item in force there (非准不入): "
            "%(reason)s It stays with %(department)s: give it to the department."
        ) % {"reason": reason, "department": case.matter.department or item.department}
    raise RefusedAtGate(
        message, code="department_matter", sender=sender, kind=item.kind, item=item, refused={community: reason}
    )


@arrivals.keeps_refusals(CheckChannel.DISPATCH)
@transaction.atomic
def case_dispatch(*, actor: User, case: Case, assignee: Org, reason: str = "") -> Case:
    """Give the case to a department or party branch (blowing the whistle) or, when the lists allow
    it, to the community or one of its grids."""
    case = _start(case, "dispatch", actor)
    org, role = _acting_org(actor, case.org_unit, DISPATCHER_ROLES)
    check_dispatch(case, assignee, sender=org)
    return _act(
        case,
        "dispatch",
        actor=actor,
        org=org,
        role=role,
        note=reason,
        after=lambda c: {"whistle": c.whistle},
        assignee=assignee,
        dispatcher=org,
    )


@arrivals.keeps_refusals(CheckChannel.DISPATCH)
@transaction.atomic
def case_take_and_dispatch(*, actor: User, case: Case, assignee: Org, reason: str = "") -> Case:
    """Accept a reported case and dispatch it in one go: two transitions, both in the history."""
    if case.state == S.REPORTED:
        case = accept(actor=actor, case=case)
    return case_dispatch(actor=actor, case=case, assignee=assignee, reason=reason)


def whistle_departments(matter: Matter) -> list[Org]:
    """Where a whistle for this matter may be blown: its responsible department, for a matter of a
    whistle category (seed 003: 明确3大类吹哨范围); nowhere for any other matter."""
    if matter.group.kind != GroupKind.WHISTLE or matter.department_id is None:
        return []
    return [matter.department]


def check_whistle(matter: Matter | None, assignee: Org) -> None:
    """Refuse a whistle outside its scope: a matter of the whistle categories, to its responsible
    department only (让社区"吹哨"有据)."""
    if assignee.kind not in DEPARTMENT_KINDS:
        raise DomainError(_("A whistle is blown to a department or its party branch."))
    if matter is None:
        raise DomainError(_("A whistle is blown for a reported matter, not for a service application."))
    if matter.group.kind != GroupKind.WHISTLE:
        categories = MatterGroup.objects.filter(district_id=matter.group.district_id, kind=GroupKind.WHISTLE)
        raise DomainError(
            _(
                "“%(matter)s” is outside the whistle scope: a whistle is blown only for the matters of the "
                "whistle categories (%(categories)s). Give it to the grid, or dispatch it from the case."
            )
            % {"matter": matter.name, "categories": "、".join(g.name for g in categories)},
            code="not_whistle_matter",
        )
    responsible = whistle_departments(matter)
    if not responsible:
        raise DomainError(
            _("“%(matter)s” has no responsible department yet: the office names one before a whistle is blown.")
            % {"matter": matter.name},
            code="no_responsible_department",
        )
    if assignee not in responsible:
        raise DomainError(
            _("A whistle for “%(matter)s” goes to its responsible department, %(department)s, not to %(assignee)s.")
            % {
                "matter": matter.name,
                "department": "、".join(d.name for d in responsible),
                "assignee": assignee.name,
            },
            code="not_responsible_department",
        )


@transaction.atomic
def whistle_blow(*, actor: User, assignee: Org, case: Case | None = None, reason: str = "", **report) -> Case:
    """社区吹哨: from a reported case (accepting it first), or a new one the community raises itself;
    only within the whistle scope (check_whistle), refused before anything is written."""
    check_whistle(case.matter if case is not None else report.get("matter"), assignee)
    if case is None:
        case = case_report(actor=actor, **report)
    return case_take_and_dispatch(actor=actor, case=case, assignee=assignee, reason=reason)


@transaction.atomic
def case_respond(*, actor: User, case: Case, note: str = "") -> Case:
    """报到: the assignee has arrived and takes the case on."""
    case = _start(case, "respond", actor)
    org, role = _acting_org(actor, case.assignee, assignee_roles(case.assignee))
    return _act(case, "respond", actor=actor, org=org, role=role, note=note)


@transaction.atomic
def case_resolve(*, actor: User, case: Case, note: str, photos=()) -> Case:
    case = _start(case, "resolve", actor)
    note = _reason_required(note, _("Say what was done."))
    if case.assignee_id:
        org, role = _acting_org(actor, case.assignee, assignee_roles(case.assignee))
    else:  # a service done at the window
        org, role = _acting_org(actor, case.org_unit, DISPATCHER_ROLES)
    case = _act(case, "resolve", actor=actor, org=org, role=role, note=note)
    _add_photos(case, photos, actor=actor, stage=S.RESOLVED)
    return case


@transaction.atomic
def case_return(*, actor: User, case: Case, reason: str) -> Case:
    """退单: the assignee hands the case back to the dispatcher, with the reason."""
    case = _start(case, "return", actor)
    reason = _reason_required(reason, _("Say why the case is returned."))
    org, role = _acting_org(actor, case.assignee, assignee_roles(case.assignee))
    returned_by = case.assignee.code
    return _act(case, "return", actor=actor, org=org, role=role, note=reason, after={"returned_by": returned_by})


@transaction.atomic
def case_dispute(*, actor: User, case: Case, reason: str) -> Case:
    """异议: the assignee contests the dispatch; the dispatcher or the office decides (reassign or not)."""
    case = _start(case, "dispute", actor)
    reason = _reason_required(reason, _("Say why you dispute it."))
    org, role = _acting_org(actor, case.assignee, assignee_roles(case.assignee))
    return _act(case, "dispute", actor=actor, org=org, role=role, note=reason)


@arrivals.keeps_refusals(CheckChannel.DISPATCH)
@transaction.atomic
def case_reassign(*, actor: User, case: Case, assignee: Org, reason: str) -> Case:
    """改派: the dispatcher or the office gives the case to someone else, with the reason."""
    case = _start(case, "reassign", actor)
    reason = _reason_required(reason, _("Say why the case is reassigned."))
    if assignee.pk == case.assignee_id:
        raise DomainError(_("The case is already with them."))
    org, role = _acting_org(actor, case.org_unit, DISPATCHER_ROLES)
    check_dispatch(case, assignee, sender=org)
    previous = case.assignee.code if case.assignee_id else ""
    return _act(
        case,
        "reassign",
        actor=actor,
        org=org,
        role=role,
        note=reason,
        after={"previous": previous},
        assignee=assignee,
        dispatcher=org,
    )


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
    case = _start(case, "confirm", actor)
    if satisfaction not in Satisfaction.values:
        raise DomainError(_("Say how satisfied the reporter is."))
    if not solved:
        note = _reason_required(note, _("Say why it stays unsolved."))
    org, role = _confirming(actor, case)
    extra = {"satisfaction": satisfaction, "solved": solved}
    return _act(
        case,
        "confirm",
        actor=actor,
        org=org,
        role=role,
        note=note,
        after=extra,
        solved=solved,
        satisfaction=satisfaction,
    )


def _confirming(actor: User, case: Case) -> tuple[Org | None, str]:
    if case.reporter_id == actor.pk:
        return case.org_unit, ""
    return _acting_org(actor, case.org_unit, DISPATCHER_ROLES)


@transaction.atomic
def case_reopen(*, actor: User, case: Case, reason: str) -> Case:
    case = _start(case, "reopen", actor)
    reason = _reason_required(reason, _("Say what is still not fixed."))
    org, role = _confirming(actor, case)
    return _act(case, "reopen", actor=actor, org=org, role=role, note=reason)


@transaction.atomic
def case_close(*, actor: User, case: Case, reason: str = "") -> Case:
    case = _start(case, "close", actor)
    org, role = _acting_org(actor, case.org_unit, DISPATCHER_ROLES)
    return _act(case, "close", actor=actor, org=org, role=role, note=reason)


@transaction.atomic
def case_merge(*, actor: User, case: Case, into: Case, reason: str = "") -> Case:
    """Duplicate reports of one matter are merged: the duplicate follows the case it joins."""
    case = CASE.lock(case)
    into = CASE.lock(into)
    # The case joined is the dispatcher's too: a rule the merge's predicate (on the duplicate) cannot see.
    require(can_dispatch(actor, into), CASE.actions["merge"].refusal)
    check(CASE, case, "merge", actor)
    if case.pk == into.pk or into.state in FINAL_STATES or case.kind != into.kind:
        raise DomainError(_("Merge into another open case of the same kind."))
    org, role = _acting_org(actor, case.org_unit, DISPATCHER_ROLES)
    reason = reason or _("Duplicate of %(number)s") % {"number": into.number}
    case = _act(
        case,
        "merge",
        actor=actor,
        org=org,
        role=role,
        note=reason,
        after={"into": into.number},
        into=into,
    )
    _act(into, "absorb", actor=actor, org=org, role=role, note=steps.took_in(case))
    return case


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
            case = CASE.lock(Case(pk=pk))
            if not case.is_overdue(now) or case.escalations.filter(state=case.state, due=case.stage_due).exists():
                continue
            office = Org.objects.get(pk=case.org_unit.district_id)
            escalation, reason = steps.escalation(case, office, now)
            escalation.save()
            apply(
                CASE,
                case,
                "escalate",
                org=office,
                note=reason,
                history={"org": office, "assignee": case.assignee},
                after={"due": case.stage_due, "assignee": case.assignee.code if case.assignee_id else ""},
                locked=True,
                permission=False,  # the timer's own move
            )
            made.append(escalation)
    return made


# ------------------------------------------------------------------------------ one-window service


def _query_code() -> str:
    while True:
        code = "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(QUERY_CODE_LENGTH))
        if not Case.objects.filter(query_code=code).exists():
            return code


def window_refusal(item: ServiceItem, community: Org, on: dt.date | None = None) -> str:
    """Why this community's window may not handle the service item itself ("" if it may): work moved
    down to community windows needs an item of the lists in force for the community (the gate). An
    item the department decides is only accepted and passed on there: it needs none."""
    if item.handled_at != HandledAt.WINDOW:
        return ""
    return gate.refusal(item.work_item, community, on=on)


def window_handover_refusal(work_item: WorkItem | None, department: Org, on: dt.date | None = None) -> str:
    """Why a service item of this department may not be handed to community windows under this list
    item ("" if it may): the item must be in force for at least one community of the district; each
    application then asks for its own community (window_refusal)."""
    communities = list(Org.objects.filter(kind=OrgKind.COMMUNITY, path__startswith=f"/{department.district_id}/"))
    if work_item is None or not communities:
        return gate.refusal(None, department, on=on)
    prefetch_related_objects([work_item], "scope_streets")  # the scope read once for every community
    reasons = [gate.refusal(work_item, c, on=on) for c in communities]
    return "" if not all(reasons) else reasons[0]


SERVICE_ITEM_FIELDS = ["code", "name", "department_id", "handled_at", "work_item_id", "time_limit_workdays", "active"]


@transaction.atomic
def service_item_save(*, actor: User, item: ServiceItem) -> ServiceItem:
    """The office configures a service item (the admin): its handling is handed to community windows
    only under a list item in force (window_handover_refusal). Audited."""
    if item.handled_at == HandledAt.WINDOW:
        reason = window_handover_refusal(item.work_item, item.department)
        if reason:
            raise DomainError(
                _("“%(item)s” may be handled at community windows only under an item of the lists in force: %(reason)s")
                % {"item": item.name, "reason": reason},
                code="not_at_this_window",
            )
    old = ServiceItem.objects.filter(pk=item.pk).first() if item.pk else None
    item.save()
    audit.record(
        action="service_item.save",
        actor=actor,
        obj=item,
        before=audit.snapshot(old, SERVICE_ITEM_FIELDS) if old else None,
        after=audit.snapshot(item, SERVICE_ITEM_FIELDS),
    )
    return item


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
    require(
        at_window or reaches(actor, community, {Role.RESIDENT}),
        _("Apply in your own community, or at its window."),
    )
    if not item.active or item.department.district_id != community.district_id:
        raise DomainError(_("This service item is not offered here."))
    reason = window_refusal(item, community)
    if reason:
        raise DomainError(
            _(
                "“%(item)s” is handled at community windows only under an item of the lists in force for "
                "the community (非准不入): %(reason)s Apply to %(department)s directly."
            )
            % {"item": item.name, "reason": reason, "department": item.department.name},
            code="not_at_this_window",
        )
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
    )
    steps.report(case, now)
    case.save()
    _mark_dirty(case)  # nothing yet (not dispatched): kept so every save of a case marks
    _add_photos(case, photos, actor=actor, stage=S.REPORTED)
    _opened(
        case, actor=actor, org=community, audit_action="case.apply", after={"item": item.code, "channel": case.channel}
    )
    if at_window:
        case = service_accept(actor=actor, case=case)
    return case


@transaction.atomic
def service_accept(*, actor: User, case: Case, reason: str = "") -> Case:
    """受理: the legal time limit starts now."""
    case = CASE.lock(case)
    # The machine's accept rule (can_dispatch), in the words the window hears.
    require(can_dispatch(actor, case), _("Only the community window accepts an application."))
    check(CASE, case, "accept", actor)
    org, role = _acting_org(actor, case.org_unit, DISPATCHER_ROLES)
    return _act(case, "accept", actor=actor, org=org, role=role, note=reason)


def accept(*, actor: User, case: Case, reason: str = "") -> Case:
    if case.kind == CaseKind.SERVICE:
        return service_accept(actor=actor, case=case, reason=reason)
    return case_accept(actor=actor, case=case, reason=reason)


# ------------------------------------------------------------------------------------ commitments
