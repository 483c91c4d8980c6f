from django import forms
from django.utils.translation import pgettext_lazy

from jianfu.orgs.models import Org, OrgKind


class CommitmentForm(forms.Form):
    duties = forms.CharField(
        label=pgettext_lazy("cases", "Duties towards residents"), widget=forms.Textarea(attrs={"rows": 4})
    )
    duty_phone = forms.CharField(label=pgettext_lazy("cases", "Duty phone"), max_length=40)
    complaint_phone = forms.CharField(label=pgettext_lazy("cases", "Complaint phone"), max_length=40)
    hours = forms.CharField(label=pgettext_lazy("cases", "Office hours"), max_length=100, required=False)
    streets = forms.ModelMultipleChoiceField(
        label=pgettext_lazy("cases", "Only in these streets/towns (empty: all)"),
        queryset=Org.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, district: Org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["streets"].queryset = Org.objects.filter(
            parent=district, kind__in=[OrgKind.STREET, OrgKind.TOWN]
        ).order_by("code")
