"""A delivery's workflow: written when the order is sent, either delivered or refused at the gate
(workflow.opened); a delivered order is then marked done or refused by its community (with a receipt
when it goes beyond its item). Done and both refusals are final."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jianfu.core.workflow import Action, Machine
from jianfu.orgs.models import Role

from .models import Delivery, DeliveryEvent, DeliveryState
from .permissions import can_answer

S = DeliveryState


def _answered(delivery: Delivery, now) -> None:
    delivery.answered_on = timezone.localdate(now)


DELIVERY = Machine(
    Delivery,
    name="order",
    actions={
        "done": Action.of(S.DELIVERED, S.DONE, can_answer, pgettext_lazy("orders", "marked done"), effect=_answered),
        "refuse": Action.of(
            S.DELIVERED, S.REFUSED_BY_COMMUNITY, can_answer, pgettext_lazy("orders", "refused"), effect=_answered
        ),
    },
    history=DeliveryEvent,
    subject="delivery",
    org=lambda delivery: delivery.community,
    role=lambda actor, delivery: Role.COMMUNITY if actor is not None and actor.is_authenticated else "",
    refusal=_("Only a worker of the community the order reached may answer it."),
    select_related=("order", "order__source", "order__item", "community"),
)
