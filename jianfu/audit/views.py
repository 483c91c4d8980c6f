from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .selectors import entries_for_user
from .services import verify


@require_GET
@login_required
def log(request):
    if not request.user.has_perm("audit.view_log"):  # the office's (orgs/permissions.py)
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
    if not request.user.has_perm("audit.view_log"):  # the office's (orgs/permissions.py)
        raise PermissionDenied
    return render(request, "audit/log.html#chain-status", {"verify": verify()})
