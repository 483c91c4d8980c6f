"""Pages for plaques and wall material: the before/after page over the communities one reaches, each
community's plaques (register one), and one plaque (its history; take it down). Thin: the rules are
in plaques.py, the buttons come from the workflow kernel."""

import datetime as dt
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from jianfu.core import clock, workflow
from jianfu.core.views import refusals
from jianfu.orgs.models import OrgKind
from jianfu.orgs.selectors import orgs_for_user

from . import plaques as keep
from .machines import PLAQUE
from .models import PlaqueKind, WorkItem

STATES = {"up": gettext_lazy("Up now"), "removed": gettext_lazy("Taken down"), "all": gettext_lazy("All")}


class ItemChoice(forms.ModelChoiceField):
    def label_from_instance(self, item: WorkItem) -> str:
        return f"{item.code} {item.name}（{item.department.name}）"


class PlaqueForm(forms.Form):
    """What goes up: its kind, name and the work-body item in force that covers the community (the
    choices are only those); none for the three standing plaques."""

    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=PlaqueKind.choices)
    name = forms.CharField(label=gettext_lazy("name"), max_length=100)
    item = ItemChoice(
        label=gettext_lazy("approved item"),
        queryset=WorkItem.objects.none(),
        required=False,
        empty_label=gettext_lazy("none (only the three standing plaques)"),
    )
    hung_on = forms.DateField(
        label=gettext_lazy("hung on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, items: list[WorkItem], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = WorkItem.objects.filter(pk__in=[i.pk for i in items]).select_related(
            "department"
        )
        self.fields["item"].choices = [("", self.fields["item"].empty_label)] + [
            (i.pk, self.fields["item"].label_from_instance(i)) for i in items
        ]


class RemoveForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("reason for removal"), max_length=200)
    removed_on = forms.DateField(
        label=gettext_lazy("removed on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


@require_GET
@login_required
def plaques(request):
    """Before and after: plaques (and wall material) up in each community on a date before the clean-up
    and today, and those up without an approved item (seed 001: only three remain)."""
    today = clock.today()
    try:
        before = dt.date.fromisoformat(request.GET.get("before", ""))
    except ValueError:
        before = clock.years_before(today, 2)
    communities = orgs_for_user(request.user, kinds={OrgKind.COMMUNITY})
    page, rows, totals = keep.plaque_overview(
        communities, before=before, today=today, page_number=request.GET.get("page")
    )
    return render(
        request,
        "catalog/plaques.html",
        {
            "rows": rows,
            "page": page,
            "before": before,
            "totals": totals,
            "query": urlencode({"before": before.isoformat()}),
            "standing": keep.STANDING,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def community_plaques(request, code: str):
    """One community's plaques and wall material, paged; those who keep them register one here."""
    community = keep.community_for_user(request.user, code)
    may = keep.may_keep(request.user, community)
    if request.method == "POST" and not may:
        raise PermissionDenied
    form = None
    if may:
        form = PlaqueForm(request.POST or None, items=keep.covering_items(community))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusals(request) as outcome:
            plaque = keep.plaque_register(
                actor=request.user,
                community=community,
                kind=data["kind"],
                name=data["name"],
                item=data["item"],
                hung_on=data["hung_on"],
            )
        if outcome.ok:
            messages.success(request, _("“%(name)s” is registered as up.") % {"name": plaque.name})
            return redirect("catalog:plaques_community", code=community.code)
    kind = request.GET.get("kind", "")
    kind = kind if kind in PlaqueKind.values else ""
    state = request.GET.get("state", "up")
    state = state if state in STATES else "up"
    rows = keep.plaques_for_user(request.user, community=community, kind=kind, state=state)
    page = Paginator(rows, keep.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "catalog/plaques_community.html",
        {
            "community": community,
            "form": form,
            "page": page,
            "kind": kind,
            "state": state,
            "kinds": PlaqueKind.choices,
            "states": STATES,
            "query": urlencode({"kind": kind, "state": state}),
            "standing": keep.STANDING,
            "rule": keep.rule_text(),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def plaque_detail(request, code: str, pk: int):
    """One plaque: what it rests on, its history (its audit entries), and taking it down with a reason."""
    community = keep.community_for_user(request.user, code)
    plaque = keep.plaque_for_user(request.user, pk, community=community)
    actions = workflow.available(PLAQUE, request.user, plaque)
    form = RemoveForm(request.POST or None, initial={"removed_on": clock.today()})
    if request.method == "POST":
        if not keep.may_keep(request.user, community):
            raise PermissionDenied
        if form.is_valid():
            with refusals(request) as outcome:
                keep.plaque_remove(
                    actor=request.user,
                    plaque=plaque,
                    reason=form.cleaned_data["reason"],
                    removed_on=form.cleaned_data["removed_on"],
                )
            if outcome.ok:
                messages.success(request, _("“%(name)s” is recorded as taken down.") % {"name": plaque.name})
                return redirect("catalog:plaques_community", code=community.code)
    return render(
        request,
        "catalog/plaque_detail.html",
        {
            "community": community,
            "plaque": plaque,
            "actions": actions,
            "form": form,
            "history": keep.history(plaque),
            "standing": keep.is_standing(plaque.kind, plaque.name),
        },
    )
