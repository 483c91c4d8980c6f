from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jianfu.core import clock, workflow
from jianfu.core.views import refusals

from . import selectors, services
from .forms import OrderForm, RefuseForm
from .machines import DELIVERY
from .models import Decision, DeliveryState
from .permissions import is_community_worker, is_district_office, is_sender, sender_orgs

PAGE_SIZE = 25


@require_GET
@login_required
def orders(request):
    """A community's orders to it; a sender's (or the office's) orders with each community's outcome."""
    user = request.user
    receives, follows = is_community_worker(user), is_sender(user) or is_district_office(user)
    if not receives and not follows:
        raise PermissionDenied
    view = request.GET.get("view", "")
    view = view if (view == "received" and receives) or (view == "sent" and follows) else ""
    view = view or ("received" if receives else "sent")
    today = clock.today()
    if view == "received":
        page = Paginator(selectors.received(user), PAGE_SIZE).get_page(request.GET.get("page"))
        left = selectors.workdays_left([d.order.due for d in page if d.state == DeliveryState.DELIVERED], today)
        rows = [(d, left.get(d.order.due)) for d in page]
    else:
        page = Paginator(selectors.sent_orders(user), PAGE_SIZE).get_page(request.GET.get("page"))
        rows = [(o, selectors.outcome_counts(o)) for o in page]
    return render(
        request,
        "orders/list.html",
        {
            "view": view,
            "page": page,
            "rows": rows,
            "query": f"view={view}",
            "receives": receives,
            "follows": follows,
            "can_send": is_sender(user),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def order_new(request):
    source = selectors.sender_for(request.user, request.POST.get("source") or request.GET.get("source", ""))
    if source is None:
        raise PermissionDenied
    form = OrderForm(request.POST or None, source=source, initial={"kind": request.GET.get("kind", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusals(request) as outcome:
            order = services.order_send(
                actor=request.user,
                source=source,
                kind=data["kind"],
                item=data["item"],
                title=data["title"],
                instructions=data["instructions"],
                hours=data["hours"],
                workdays_to_do=data["workdays"],
                communities=form.targets(),
                all_in_scope=request.POST.get("send") == "all_in_scope",
            )
        if outcome.ok:
            reasons = services.refusals(order)
            if order.decision == Decision.REFUSED:
                for reason in reasons:
                    messages.error(request, _("Refused, it reached no one: %(reason)s") % {"reason": reason})
                messages.info(request, _("The attempt is recorded as %(number)s.") % {"number": order.number})
            else:
                delivered = order.deliveries.filter(state=DeliveryState.DELIVERED).count()
                messages.success(
                    request,
                    _("%(number)s sent to %(n)s communities.") % {"number": order.number, "n": delivered},
                )
                for reason in reasons:
                    messages.warning(request, _("Refused at the gate: %(reason)s") % {"reason": reason})
                return redirect("orders:detail", number=order.number)
    return render(
        request,
        "orders/form.html",
        {"form": form, "source": source, "sources": sender_orgs(request.user)},
    )


@require_GET
@login_required
def order_detail(request, number: str):
    user = request.user
    order = selectors.order_for_user(user, number)
    deliveries = selectors.deliveries_for_user(user, order)
    left = (
        selectors.workdays_left([order.due], clock.today())
        if any(d.state == DeliveryState.DELIVERED for d in deliveries)
        else {}
    )
    rows = [(d, workflow.available(DELIVERY, user, d)) for d in deliveries]
    return render(
        request,
        "orders/detail.html",
        {
            "order": order,
            "rows": rows,
            "left": left.get(order.due),
            "refuse_form": RefuseForm(),
            "counts": {s: sum(1 for d in deliveries if d.state == s) for s in DeliveryState.values},
        },
    )


@require_POST
@login_required
def delivery_action(request, number: str, code: str, action: str):
    order = selectors.order_for_user(request.user, number)
    delivery = selectors.delivery_for_user(request.user, order, code)
    if action not in DELIVERY.actions:
        raise Http404
    with refusals(request) as outcome:
        if action == "done":
            services.delivery_done(actor=request.user, delivery=delivery)
        else:
            services.delivery_refuse(actor=request.user, delivery=delivery, reason=request.POST.get("reason", ""))
    if outcome.ok:
        if action == "done":
            messages.success(request, _("Marked done."))
        else:
            messages.success(request, _("Refused. Print the receipt or send its link to the sender."))
            return redirect("orders:receipt", number=number, code=code)
    return redirect("orders:detail", number=number)


@require_GET
@login_required
def receipt(request, number: str, code: str):
    """The community's refusal receipt: printable, and readable by the sender through the same link."""
    order = selectors.order_for_user(request.user, number)
    delivery = selectors.delivery_for_user(request.user, order, code)
    if delivery.state != DeliveryState.REFUSED_BY_COMMUNITY:
        raise Http404
    return render(request, "orders/receipt.html", {"order": order, "delivery": delivery})
