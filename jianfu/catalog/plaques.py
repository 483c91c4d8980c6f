"""Plaques and wall material in communities (seeds 001 and 003): register, take down, read.

Seed 001: 「社区办公服务设施外只悬挂社区党组织、社区居民委员会和社区工作站三块牌子」 and 「对…上墙资料、
制度等进行彻底清理」; seed 003: 「清理整合各職能部門在社區設立的工作機構、上墻制度和各類牌匾」. So three
plaques stand in every community; anything else — another plaque, material or rules posted on the
wall — goes up only on an approved work-body item (ItemKind.BODY) in force that covers the community,
which the gate answers (jianfu.catalog.gate.refusal), scope included. Taking one down needs a reason.

Both changes go through the workflow kernel (machines.PLAQUE): registering is the plaque's opening,
taking it down its one move; each writes its audit entry, which is also the plaque's history."""

import datetime as dt

from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from jianfu.audit.models import AuditEntry
from jianfu.core import clock, dirty, workflow
from jianfu.core.errors import DomainError
from jianfu.orgs.models import Org, OrgKind, User
from jianfu.orgs.permissions import reach_q
from jianfu.orgs.selectors import org_for_user

from . import gate
from .machines import PLAQUE
from .models import ItemKind, Plaque, PlaqueKind, WorkItem
from .permissions import can_keep_plaques

# The three plaques every community's office carries without asking (seed 001).
STANDING = ("社区党组织", "社区居民委员会", "社区工作站")
ALLOWED_PLAQUES = list(STANDING)
PAGE_SIZE = 25


def is_standing(kind: str, name: str) -> bool:
    return kind == PlaqueKind.PLAQUE and name.strip() in STANDING


def standing_q() -> Q:
    return Q(kind=PlaqueKind.PLAQUE, name__in=STANDING)


def mark_plaque_dirty(plaque: Plaque) -> None:
    """A plaque counts from the month it was hung (or removed, if entered earlier) to this one."""
    start = plaque.hung_on
    if plaque.removed_on and plaque.removed_on < start:
        start = plaque.removed_on
    dirty.mark_since(plaque.community.district_id, start)


def rule_text() -> str:
    return _(
        "Beyond the three standing plaques (社区党组织, 社区居民委员会, 社区工作站), no plaque, wall-posted "
        "material or rules go up in a community without an approved work-body item in force that covers it."
    )


def register_refusal(*, community: Org, kind: str, name: str, item: WorkItem | None, on: dt.date | None = None) -> str:
    """Why this may not go up in this community ("" if it may): the rule, and what to do."""
    if item is None and is_standing(kind, name):
        return ""
    reason = gate.refusal(item, community, kind=ItemKind.BODY, on=on or clock.today())
    if not reason:
        return ""
    if item is None:  # the gate's own sentence already says to apply for access
        return f"{rule_text()} {reason}"
    return f"{reason} {rule_text()} " + _(
        "The department that needs it must apply for access for this community first (a new item, or a wider scope)."
    )


@transaction.atomic
def plaque_register(
    *,
    actor: User | None,
    community: Org,
    name: str,
    kind: str = PlaqueKind.PLAQUE,
    item: WorkItem | None = None,
    department: Org | None = None,
    hung_on: dt.date | None = None,
) -> Plaque:
    """Record a plaque or wall-posted material that goes up in a community. Only the three standing
    plaques go up without an item; the system alone (actor None: the demo loader, an import of what
    was found in place before the clean-up) records older ones without one, so they can be taken down."""
    today = clock.today()
    name = (name or "").strip()
    hung_on = hung_on or today
    if community.kind != OrgKind.COMMUNITY:
        raise DomainError(_("Plaques and wall material go up in communities."), code="not_a_community")
    if actor is not None:
        workflow.require(
            can_keep_plaques(actor, community),
            _("Only the office, the street and the community's own workers register its plaques."),
        )
    if kind not in PlaqueKind.values:
        raise DomainError(_("Unknown kind: %(kind)s.") % {"kind": kind}, code="invalid")
    if not name:
        raise DomainError(_("Give the name on the plaque or the title of what is posted."), code="invalid")
    if hung_on > today:
        raise DomainError(_("Register it once it is up: the date may not be in the future."), code="invalid")
    if hung_on.year < 1949:
        raise DomainError(_("Give the date it went up."), code="invalid")
    found_in_place = actor is None and item is None and hung_on < today
    if not found_in_place and (reason := register_refusal(community=community, kind=kind, name=name, item=item)):
        raise DomainError(reason, code="not_approved")
    up = Plaque.objects.select_for_update().filter(community=community, kind=kind, name=name, removed_on__isnull=True)
    if up.exists():
        raise DomainError(_("“%(name)s” is already up in %(community)s.") % {"name": name, "community": community.name})
    plaque = Plaque.objects.create(
        community=community,
        kind=kind,
        name=name,
        department=department or (item.department if item is not None else community),
        item=item,
        hung_on=hung_on,
    )
    mark_plaque_dirty(plaque)
    workflow.opened(
        PLAQUE,
        plaque,
        "register",
        actor=actor,
        org=community,
        after={
            "kind": kind,
            "name": name,
            "department": plaque.department.code,
            "item": item.code if item is not None else None,
            "hung_on": hung_on,
        },
    )
    return plaque


def plaque_remove(*, actor: User | None, plaque: Plaque, reason: str, removed_on: dt.date | None = None) -> Plaque:
    """Take a plaque or wall material down, saying why (the clean-up, the item cancelled …)."""
    workflow.check(PLAQUE, plaque, "remove", actor)  # who may, before what they typed
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why it is taken down."), code="reason_required")
    day = removed_on or clock.today()
    if day > clock.today():
        raise DomainError(_("Record it once it is down: the date may not be in the future."), code="invalid")
    if day < plaque.hung_on:
        raise DomainError(_("It cannot come down before it went up."), code="invalid")

    def change(p: Plaque) -> None:
        p.removed_on, p.removal_reason = day, reason[:200]

    with transaction.atomic():
        plaque = workflow.apply(
            PLAQUE,
            plaque,
            "remove",
            actor=actor,
            note=reason,
            change=change,
            after={"removed_on": day},
        )
        mark_plaque_dirty(plaque)
    return plaque


# ------------------------------------------------------------------------------------------- reads


def community_for_user(user, code: str) -> Org:
    """A community the user reaches, or 404 (outsiders learn nothing)."""
    community = org_for_user(user, code)
    if community.kind != OrgKind.COMMUNITY:
        raise Http404
    return community


def plaques_q(*, kind: str = "", state: str = "up") -> Q:
    q = Q()
    if kind in PlaqueKind.values:
        q &= Q(kind=kind)
    if state == "up":
        q &= Q(removed_on__isnull=True)
    elif state == "removed":
        q &= Q(removed_on__isnull=False)
    return q


def plaques_for_user(user, *, community: Org | None = None, kind: str = "", state: str = "up") -> QuerySet[Plaque]:
    """The plaques of the communities the user reaches (or of one of them), newest first."""
    rows = Plaque.objects.filter(reach_q(user, field="community__path"), plaques_q(kind=kind, state=state))
    if community is not None:
        rows = rows.filter(community=community)
    return rows.select_related("community", "department", "item").order_by("-hung_on", "-pk")


def plaque_for_user(user, pk: int, *, community: Org | None = None) -> Plaque:
    if not 0 < pk < 2**63:
        raise Http404
    plaque = plaques_for_user(user, community=community, state="all").filter(pk=pk).first()
    if plaque is None:
        raise Http404
    return plaque


def history(plaque: Plaque) -> QuerySet[AuditEntry]:
    """What happened to the plaque: its audit entries, oldest first (the audit log's object index)."""
    return AuditEntry.objects.filter(object_type=Plaque._meta.label_lower, object_id=str(plaque.pk)).order_by("seq")


def covering_items(community: Org) -> list[WorkItem]:
    """The work-body items in force today that cover the community: what a new one may rest on."""
    return gate.in_force_here(community, kind=ItemKind.BODY)


def may_keep(user, community: Org) -> bool:
    return bool(user.is_authenticated and can_keep_plaques(user, community))


def _counts(before: dt.date, today: dt.date) -> dict:
    """What the before/after page counts, as conditional aggregates over the plaque rows."""
    plaque = Q(kind=PlaqueKind.PLAQUE)
    up_before = Q(hung_on__lte=before) & (Q(removed_on__isnull=True) | Q(removed_on__gt=before))
    up_now = Q(hung_on__lte=today, removed_on__isnull=True)
    in_force = WorkItem.objects.filter(WorkItem.in_force_q(today)).values("pk")
    unapproved = up_now & ~standing_q() & (Q(item__isnull=True) | ~Q(item__in=in_force))
    return {
        "before": Count("pk", filter=plaque & up_before),
        "now": Count("pk", filter=plaque & up_now),
        "wall_before": Count("pk", filter=~plaque & up_before),
        "wall_now": Count("pk", filter=~plaque & up_now),
        "unapproved": Count("pk", filter=unapproved),
    }


def plaque_overview(communities: QuerySet[Org], *, before: dt.date, today: dt.date, page_number) -> tuple:
    """The before/after page: the communities paged, each with its plaques (and wall material) up on
    `before` and today and those up without an approved item; and the totals over all of them."""
    aggregates = _counts(before, today)
    page = Paginator(communities.order_by("path"), PAGE_SIZE).get_page(page_number)
    per_community = {
        row["community_id"]: row
        for row in Plaque.objects.filter(community__in=[c.pk for c in page])
        .values("community_id")
        .annotate(**aggregates)
    }
    empty = dict.fromkeys(aggregates, 0)
    rows = [{"community": c} | {k: per_community.get(c.pk, empty)[k] for k in aggregates} for c in page]
    totals = Plaque.objects.filter(community__in=communities.values("pk")).aggregate(**aggregates)
    return page, rows, totals
