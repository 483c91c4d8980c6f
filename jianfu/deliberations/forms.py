from django import forms
from django.utils.translation import pgettext_lazy

from jianfu.access.forms import DateInput
from jianfu.orgs.models import Org

from .models import Deliberation


class CommunityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Org) -> str:
        return f"{obj.parent.name} · {obj.name}" if obj.parent_id else obj.name


class DeliberationForm(forms.ModelForm):
    """One meeting's record. The community is offered only among those the user keeps records for;
    with one, it is not asked at all."""

    community = CommunityChoiceField(label=pgettext_lazy("portal", "Community"), queryset=Org.objects.none())

    class Meta:
        model = Deliberation
        fields = [
            "kind",
            "community",
            "held_on",
            "subject",
            "participants",
            "agenda",
            "outcome",
            "follow_up",
            "follow_up_done",
        ]
        widgets = {
            "held_on": DateInput,
            "follow_up_done": DateInput,
            "agenda": forms.Textarea(attrs={"rows": 3}),
            "outcome": forms.Textarea(attrs={"rows": 3}),
            "follow_up": forms.Textarea(attrs={"rows": 2}),
            "participants": forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"}),
        }

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["community"]
        field.queryset = communities
        choices = list(communities[:2])
        if len(choices) == 1:
            field.initial = choices[0].pk
            field.widget = forms.HiddenInput()


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=pgettext_lazy("portal", "Why it is withdrawn"),
        max_length=200,
        required=False,
    )
