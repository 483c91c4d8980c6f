from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jianfu.catalog.models import WorkItem
from jianfu.orgs.models import Org

from . import selectors
from .models import ORDER_KINDS


class ItemChoice(forms.ModelChoiceField):
    def label_from_instance(self, item: WorkItem) -> str:
        return _("%(code)s %(name)s (%(kind)s, %(frequency)s, at most %(hours)s h)") % {
            "code": item.code,
            "name": item.name,
            "kind": item.get_kind_display(),
            "frequency": item.get_frequency_display(),
            "hours": f"{item.hours_per_occurrence.normalize():f}",
        }


class OrderForm(forms.Form):
    """A sender's order. The item list holds the sender's own items in force of the chosen kind; an
    order without one may be sent, and is refused (and recorded) with what to do."""

    kind = forms.ChoiceField(
        label=_("kind"),
        required=False,
        choices=[("", pgettext_lazy("orders", "— the item's kind —"))] + [(k.value, k.label) for k in ORDER_KINDS],
    )
    item = ItemChoice(
        label=_("catalog item"),
        queryset=WorkItem.objects.none(),
        required=False,
        empty_label=pgettext_lazy("orders", "— none: no item in the catalog —"),
    )
    title = forms.CharField(label=pgettext_lazy("orders", "title"), max_length=200)
    instructions = forms.CharField(label=_("what to do"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    hours = forms.DecimalField(
        label=_("hours it may cost each community"), min_value=Decimal(0), max_digits=7, decimal_places=2
    )
    workdays = forms.IntegerField(label=_("working days to do it"), min_value=1, max_value=250)
    communities = forms.MultipleChoiceField(label=_("communities"), required=False)

    def __init__(self, *args, source: Org, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = source
        kind = self.data.get("kind") or self.initial.get("kind") or ""
        self.fields["item"].queryset = selectors.items_for_sender(source, kind=kind)
        self.groups = selectors.communities_by_street(source)
        self.fields["communities"].choices = [(c.code, c.name) for _street, cs in self.groups for c in cs]
        self.chosen = set(self.data.getlist("communities")) if self.is_bound else set()

    def clean(self):
        data = super().clean()
        item = data.get("item")
        if not data.get("kind"):
            if item is None:
                self.add_error("kind", _("Choose the kind of work."))
            else:
                data["kind"] = item.kind
        return data

    def targets(self) -> list[Org]:
        codes = self.cleaned_data["communities"]
        by_code = {c.code: c for _street, cs in self.groups for c in cs}
        return [by_code[code] for code in codes]


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("How the order goes beyond its item"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
    )
