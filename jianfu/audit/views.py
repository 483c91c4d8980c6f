from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jianfu.orgs.models import Membership, Role
from jianfu.orgs.permissions import is_office, roots

from .models import AuditEntry
from .services import verify


def entries_for_user(user):
    """An office reads its own district's trail: the entries about its organisations, and those about
    none (imports, tokens) made by the people of its district — never another district's."""
    entries = AuditEntry.objects.select_related("org")
    if user.is_superuser:
        return entries
    q = Q(pk__in=[])
    for district in roots(user, {Role.OFFICE}):
        people = Membership.objects.filter(org__path__startswith=district.path).values("user_id")
        q |= Q(org__path__startswith=district.path) | Q(org__isnull=True, actor_id__in=people)
    return entries.filter(q)


@require_GET
@login_required
def log(request):
    if not is_office(request.user):
        raise PermissionDenied
    entries = entries_for_user(request.user).order_by("-seq")
    action = request.GET.get("action", "").strip()
    if action:
        entries = entries.filter(action__startswith=action)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "audit/log.html", {"page": page, "action": action})


@require_GET
@login_required
def chain_status(request):
    if not is_office(request.user):
        raise PermissionDenied
    return render(request, "audit/log.html#chain-status", {"verify": verify()})
