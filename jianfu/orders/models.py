"""Work orders (issue 19, point 2): a department or a street sends work to communities only by citing
an item in force that covers each of them. The order is the arrival's record (point 7: who sent what
kind under which item, and what was decided); each target community has a delivery, whose state the
workflow kernel moves."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jianfu.catalog.models import ItemKind
from jianfu.core.models import History

# The kinds of work sent as orders. Reports and surveys go through the ledger (一表通); certificates
# are asked of a community by residents, not sent to it.
ORDER_KINDS = [
    ItemKind.TASK,
    ItemKind.MEETING,
    ItemKind.INSPECTION,
    ItemKind.CAMPAIGN,
    ItemKind.PLATFORM,
    ItemKind.BODY,
]
LEDGER_KINDS = [ItemKind.LEDGER, ItemKind.SURVEY]


class Decision(models.TextChoices):
    SENT = "sent", pgettext_lazy("orders", "Sent to every community")
    PARTLY = "partly", pgettext_lazy("orders", "Sent, some communities refused")
    REFUSED = "refused", pgettext_lazy("orders", "Refused: it reached no one")


class DeliveryState(models.TextChoices):
    # reached the community, not answered yet
    DELIVERED = "delivered", pgettext_lazy("orders", "To do")
    # the community did it
    DONE = "done", pgettext_lazy("orders", "Done")
    # the community refused it: it goes beyond its item (a receipt says how)
    REFUSED_BY_COMMUNITY = "refused_by_community", pgettext_lazy("orders", "Refused by the community")
    # it never reached the community: no item in force covers it there (written when it is sent)
    REFUSED_AT_GATE = "refused_at_gate", pgettext_lazy("orders", "Refused at the gate")


# The deliveries that reached their community (it sees them, they count towards the item's frequency
# unless it refused them).
REACHED = [DeliveryState.DELIVERED, DeliveryState.DONE, DeliveryState.REFUSED_BY_COMMUNITY]


class Order(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True)
    source = models.ForeignKey(
        "orgs.Org", verbose_name=pgettext_lazy("orders", "from"), on_delete=models.PROTECT, related_name="orders_sent"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("sent by")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ItemKind.choices)
    item = models.ForeignKey(
        "catalog.WorkItem",
        verbose_name=_("catalog item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    title = models.CharField(pgettext_lazy("orders", "title"), max_length=200)
    instructions = models.TextField(_("what to do"), blank=True)
    hours = models.DecimalField(_("hours it may cost each community"), max_digits=7, decimal_places=2)
    workdays = models.PositiveSmallIntegerField(_("working days to do it"))
    sent_at = models.DateTimeField(_("sent at"))
    sent_on = models.DateField(_("sent on"))
    due = models.DateField(pgettext_lazy("orders", "due"))
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices)
    refusal = models.TextField(_("why it was refused as a whole"), blank=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        indexes = [
            # The sender's list, newest first.
            models.Index(fields=["source", "-sent_at"], name="orders_order_source_idx"),
            # This year's orders of an item (its frequency).
            models.Index(fields=["item", "sent_on"], name="orders_order_item_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Delivery(models.Model):
    """One target community of an order: delivered (then done or refused by it), or refused at the gate."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="deliveries")
    community = models.ForeignKey(
        "orgs.Org", verbose_name=_("community"), on_delete=models.PROTECT, related_name="order_deliveries"
    )
    state = models.CharField(_("state"), max_length=20, choices=DeliveryState.choices)
    refusal = models.TextField(_("why it was refused"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)

    class Meta:
        ordering = ["order", "community__path"]
        verbose_name = _("order delivery")
        verbose_name_plural = _("order deliveries")
        constraints = [models.UniqueConstraint(fields=["order", "community"], name="orders_delivery_unique")]
        indexes = [
            # A community's orders, by state.
            models.Index(fields=["community", "state"], name="orders_delivery_community_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.order.number} → {self.community}"


class DeliveryEvent(History):
    """Every move of a delivery: delivered or refused at the gate when sent, done or refused later."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="history")
    from_state = models.CharField(_("from"), max_length=20, blank=True, choices=DeliveryState.choices)
    to_state = models.CharField(_("to"), max_length=20, choices=DeliveryState.choices)

    class Meta(History.Meta):
        verbose_name = _("order delivery event")
        verbose_name_plural = _("order delivery events")

    def __str__(self) -> str:
        return f"{self.delivery} {self.action}"
