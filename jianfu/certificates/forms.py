from django import forms
from django.utils.translation import gettext_lazy as _

from jianfu.access.forms import DateInput
from jianfu.catalog.models import WorkItem
from jianfu.deliberations import selectors as records
from jianfu.deliberations.models import Deliberation

from .models import CertificateType


class CheckForm(forms.Form):
    q = forms.CharField(
        label=_("What were you asked to bring?"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 居住证明, 无犯罪记录证明"), "autocomplete": "off"}),
    )


class VerifyForm(forms.Form):
    serial = forms.CharField(label=_("Serial number"), max_length=40)
    code = forms.CharField(label=_("Verification code"), max_length=12, required=False)


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: WorkItem) -> str:
        return obj.name


class RequestForm(forms.Form):
    item = ItemChoiceField(label=_("Certificate"), queryset=WorkItem.objects.none())
    purpose = forms.CharField(
        label=_("What it is for, who asked for it"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 申领居住证, 学校要求")}),
    )

    def __init__(self, *args, may: list[WorkItem], must_not: list[WorkItem] = (), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["item"]
        field.queryset = WorkItem.objects.filter(pk__in=[i.pk for i in [*may, *must_not]])
        if must_not:
            # At the counter both lists are offered: a must-not ask is recorded as redirected.
            field.choices = [
                ("", "---------"),
                (_("May issue"), [(i.pk, i.name) for i in may]),
                (_("Must not issue (redirect)"), [(i.pk, i.name) for i in must_not]),
            ]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class IssueForm(forms.Form):
    evidence = forms.MultipleChoiceField(
        label=_("Evidence checked"), required=False, widget=forms.CheckboxSelectMultiple
    )
    by_commitment = forms.BooleanField(
        label=_("The applicant signed the written commitment instead of bringing the evidence"), required=False
    )
    statement = forms.CharField(label=_("Wording"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, item: WorkItem, commitment: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].choices = [(e, e) for e in item.evidence]
        if not commitment:
            del self.fields["by_commitment"]


class SignOffForm(forms.Form):
    deliberation = forms.ModelChoiceField(label=_("Deliberation record"), queryset=Deliberation.objects.none())

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deliberation"].queryset = records.for_community(community)


class SealUseForm(forms.Form):
    document = forms.CharField(label=_("Document stamped"), max_length=200)


class DishonestyForm(forms.Form):
    id_number = forms.CharField(label=_("ID number (as on the dishonesty list)"), max_length=18)
    source = forms.CharField(label=_("Source"), max_length=100, initial="全国信用信息共享平台")
    listed_on = forms.DateField(label=_("Listed on"), widget=DateInput)
    until = forms.DateField(label=_("Until"), required=False, widget=DateInput)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class TypeForm(forms.ModelForm):
    aliases = forms.CharField(
        label=_("Other names people use (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = CertificateType
        fields = [
            "aliases",
            "facts_vouched",
            "statement",
            "within_duties",
            "retained",
            "notify_and_commit",
            "commitment_text",
            "public_interest",
        ]
        widgets = {
            "facts_vouched": forms.Textarea(attrs={"rows": 2}),
            "statement": forms.Textarea(attrs={"rows": 3}),
            "commitment_text": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance and self.instance.pk:
            self.initial["aliases"] = "\n".join(self.instance.aliases)

    def clean_aliases(self) -> list[str]:
        raw = self.cleaned_data.get("aliases") or ""
        return [line.strip() for line in raw.replace("，", "\n").replace(",", "\n").splitlines() if line.strip()]
