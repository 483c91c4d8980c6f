"""Changes to the registry and every read of full personal data: permission, change, audit."""

from django.db import transaction
from django.utils.translation import gettext as _

from jianfu.audit import services as audit
from jianfu.core.crypto import is_valid_phone, normalize_phone
from jianfu.core.errors import DomainError, PermissionDenied

from .models import Address, Person
from .permissions import can_edit_area, can_edit_person, can_reveal

REVEALABLE = {"id_number", "phone"}
EDITABLE = {"phone", "relation", "address", "name"}


def person_reveal(*, actor, person: Person, field: str, reason: str) -> str:
    """The full ID number or phone, for someone who needs it, with the reason on record."""
    if field not in REVEALABLE:
        raise DomainError(f"not revealable: {field}")
    if not can_reveal(actor, person):
        raise PermissionDenied(_("You may not see this person's full personal data."))
    if len(reason.strip()) < 2:
        raise DomainError(_("Say why you need the full value."))
    audit.record(
        action="pii.read",
        actor=actor,
        obj=person,
        org=person.community,
        after={"field": field},
        reason=reason.strip(),
    )
    return getattr(person, field)


@transaction.atomic
def person_update(*, actor, person: Person, **changes) -> Person:
    """A grid or community worker corrects a record on a visit. No visit log, no check-in."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if not can_edit_person(actor, person):
        raise PermissionDenied(_("You may not change people outside your area."))
    unknown = set(changes) - EDITABLE
    if unknown:
        raise DomainError(f"not editable: {', '.join(sorted(unknown))}")
    if "phone" in changes and changes["phone"]:
        changes["phone"] = normalize_phone(changes["phone"])
        if not is_valid_phone(changes["phone"]):
            raise DomainError(_("not a valid phone number"))
    before = {k: ("***" if k == "phone" else str(getattr(person, k))) for k in changes}
    address = changes.pop("address", None)
    if isinstance(address, Address):
        if not can_edit_area(actor, address.org_path):
            raise PermissionDenied(_("You may not move people outside your area."))
        person.address, person.grid_id, person.community_id, person.org_path = (
            address,
            address.grid_id,
            address.community_id,
            address.org_path,
        )
    for name, value in changes.items():
        setattr(person, name, value)
    person.full_clean(exclude=["id_index"])
    person._history_user = actor
    person.save()
    audit.record(
        action="person.update",
        actor=actor,
        obj=person,
        org=person.community,
        before=before,
        after={k: ("***" if k == "phone" else str(getattr(person, k))) for k in before},
    )
    return person
