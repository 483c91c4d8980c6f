"""Every change to the organisation tree and to memberships: permission check, change, audit entry."""

import secrets

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from jianfu.audit import services as audit
from jianfu.core import dirty
from jianfu.core.errors import DomainError, PermissionDenied

from .models import ALLOWED_PARENT_KINDS, ROLE_ORG_KINDS, ApiToken, Membership, Org, OrgKind, User
from .permissions import can_manage_org

ORG_AUDIT_FIELDS = [
    "code",
    "name",
    "kind",
    "parent_id",
    "registered_households",
    "resident_households",
    "population",
    "office_space_m2",
    "staff_count",
    "community_type",
    "is_member_unit",
]
EDITABLE_FIELDS = set(ORG_AUDIT_FIELDS) - {"code", "kind", "parent_id"}


def check_parent(kind: str, parent: Org | None) -> None:
    allowed = ALLOWED_PARENT_KINDS[kind]
    if parent is None and allowed:
        raise DomainError(_("A %(kind)s needs a parent organisation.") % {"kind": OrgKind(kind).label})
    if parent is not None and parent.kind not in allowed:
        raise DomainError(
            _("A %(kind)s cannot be placed under a %(parent)s.")
            % {"kind": OrgKind(kind).label, "parent": OrgKind(parent.kind).label}
        )


def _set_path(org: Org) -> None:
    org.path = f"{org.parent.path if org.parent else '/'}{org.pk}/"
    org.depth = org.parent.depth + 1 if org.parent else 0
    Org.objects.filter(pk=org.pk).update(path=org.path, depth=org.depth)


# The monitor builds this year's rows on these (street, scope, heat table); departments do not change them.
MONITORED_KINDS = {OrgKind.COMMUNITY, OrgKind.GRID, OrgKind.STREET, OrgKind.TOWN}


def _mark_dirty(org: Org, *, old_path: str = "") -> None:
    """A community moved or resized changes this year's monitor rows of its district (and of the
    district it left). A new one is not marked: it has no sources yet, and its rows come with the
    next month's computation or the office's full refresh (as under the former post_save signal,
    which saw the new org before it had a path)."""
    if org.kind not in MONITORED_KINDS:
        return
    for path in {org.path, old_path} - {""}:
        dirty.mark_this_year(int(path.strip("/").split("/")[0]))


def _authorise(actor: User | None, parent: Org | None, org: Org | None = None) -> None:
    """actor None means the system itself (demo loader, migrations)."""
    if actor is None:
        return
    target = org or parent
    if target is None:
        if not actor.is_superuser:
            raise PermissionDenied(_("Only a system administrator may create a district."))
        return
    if not can_manage_org(actor, target):
        raise PermissionDenied(_("You may not change organisations outside your district."))


@transaction.atomic
def org_create(*, actor: User | None, code: str, name: str, kind: str, parent: Org | None = None, **figures) -> Org:
    _authorise(actor, parent)
    check_parent(kind, parent)
    if Org.objects.filter(code=code).exists():
        raise DomainError(_("The code %(code)s is already used.") % {"code": code})
    org = Org(code=code, name=name, kind=kind, parent=parent, **figures)
    org.full_clean(exclude=["path"])
    org.save()
    _set_path(org)
    audit.record(action="org.create", actor=actor, obj=org, org=org, after=audit.snapshot(org, ORG_AUDIT_FIELDS))
    return org


@transaction.atomic
def org_update(*, actor: User | None, org: Org, parent: Org | None = None, **changes) -> bool:
    """Apply changes (and a move under a new parent); returns whether anything changed."""
    org = Org.objects.select_for_update().get(pk=org.pk)
    _authorise(actor, None, org)
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise DomainError(f"not editable: {', '.join(sorted(unknown))}")
    before = audit.snapshot(org, ORG_AUDIT_FIELDS)
    for name, value in changes.items():
        setattr(org, name, value)
    moving = parent is not None and parent.pk != org.parent_id
    if moving:
        _authorise(actor, parent)
        check_parent(org.kind, parent)
        if parent.path.startswith(org.path):
            raise DomainError(_("An organisation cannot be moved under itself."))
        org.parent = parent
    org.full_clean(exclude=["path"])
    after = audit.snapshot(org, ORG_AUDIT_FIELDS)
    if after == before:
        return False
    org.save()
    old_path = org.path
    if moving:
        _set_path(org)
        Org.objects.filter(path__startswith=old_path).exclude(pk=org.pk).update(
            path=Concat(Value(org.path), Substr("path", len(old_path) + 1)),
            depth=F("depth") - old_path.count("/") + org.path.count("/"),
        )
    _mark_dirty(org, old_path=old_path)
    audit.record(action="org.update", actor=actor, obj=org, org=org, before=before, after=after)
    return True


def check_role(org: Org, role: str) -> None:
    """A role is held only in the kinds of organisation made for it (a grid worker in a grid)."""
    if org.kind not in ROLE_ORG_KINDS[role]:
        raise DomainError(
            _("The role %(role)s cannot be held in a %(kind)s.")
            % {"role": Membership(role=role).get_role_display(), "kind": org.get_kind_display()}
        )


@transaction.atomic
def membership_grant(*, actor: User | None, user: User, org: Org, role: str) -> Membership:
    if actor is not None and not can_manage_org(actor, org):
        raise PermissionDenied(_("You may not give roles outside your district."))
    check_role(org, role)
    membership, created = Membership.objects.get_or_create(user=user, org=org, role=role)
    if created:
        audit.record(
            action="membership.grant",
            actor=actor,
            obj=membership,
            org=org,
            after={"user": user.username, "org": org.code, "role": role},
        )
    return membership


@transaction.atomic
def membership_revoke(*, actor: User | None, membership: Membership) -> None:
    if actor is not None and not can_manage_org(actor, membership.org):
        raise PermissionDenied(_("You may not take roles away outside your district."))
    audit.record(
        action="membership.revoke",
        actor=actor,
        obj=membership,
        org=membership.org,
        before={"user": membership.user.username, "org": membership.org.code, "role": membership.role},
    )
    membership.delete()


@transaction.atomic
def token_issue(*, actor: User | None, user: User, name: str = "") -> str:
    """A new API token for user; returns the token itself, which is never stored."""
    if actor is not None and actor != user and not actor.is_superuser:
        raise PermissionDenied(_("You may only issue tokens for yourself."))
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, key_hash=ApiToken.hash_key(key))
    audit.record(action="token.issue", actor=actor, obj=token, after={"user": user.username, "name": name})
    return key
