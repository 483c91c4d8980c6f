from django import forms
from django.db.models import Case, When
from django.utils.translation import gettext_lazy as _

from jianfu.catalog.models import NEEDS_HIGHER_BASIS, Category
from jianfu.orgs.models import CommunityType, Org, OrgKind

from .models import ANSWERS, Application, Decision, Meeting, ReviewDuty

APPLICABLE_CATEGORIES = [(c.value, c.label) for c in (Category.DUTY, Category.ASSIST, Category.CERTIFICATE)]


class DateInput(forms.DateInput):
    """HTML date picker; its value must be ISO whatever the active language's date format."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class ApplicationForm(forms.ModelForm):
    category = forms.ChoiceField(label=_("category"), choices=APPLICABLE_CATEGORIES)
    scope_community_types = forms.MultipleChoiceField(
        label=_("only these community types (empty: all)"),
        choices=CommunityType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Application
        fields = [
            "name",
            "kind",
            "category",
            "description",
            "reason",
            "legal_basis",
            "funding_yuan",
            "funding_channel",
            "frequency",
            "occurrences_per_year",
            "hours_per_occurrence",
            "scope_streets",
            "scope_community_types",
            "start_date",
            "temporary",
            "valid_until",
            "basis_level",
            "basis_document",
        ]
        widgets = {
            "start_date": DateInput,
            "valid_until": DateInput,
            "description": forms.Textarea(attrs={"rows": 3}),
            "reason": forms.Textarea(attrs={"rows": 2}),
            "legal_basis": forms.Textarea(attrs={"rows": 2}),
            "scope_streets": forms.CheckboxSelectMultiple,
        }

    # Asked only of campaigns and inspections (the page shows them for those kinds only).
    HIGHER_BASIS = ("basis_level", "basis_document")

    def __init__(self, *args, district: Org, street: Org | None = None, **kwargs):
        """`street`: the street that applies — its work reaches its own communities, no choice of streets."""
        super().__init__(*args, **kwargs)
        if street is not None:
            del self.fields["scope_streets"]
        else:
            self.fields["scope_streets"].queryset = Org.objects.filter(
                kind__in=[OrgKind.STREET, OrgKind.TOWN], parent=district
            ).order_by("code")

    def clean(self):
        data = super().clean()
        if data.get("kind") not in NEEDS_HIGHER_BASIS:
            # Not asked of other kinds, so not kept.
            data["basis_level"], data["basis_document"] = "", ""
        elif bool(data.get("basis_level")) != bool((data.get("basis_document") or "").strip()):
            missing = "basis_document" if data.get("basis_level") else "basis_level"
            self.add_error(missing, _("Give both the level and the document (title and number), or neither yet."))
        return data

    def basis_fields(self):
        return [self[name] for name in self.HIGHER_BASIS]

    def other_fields(self):
        return [field for field in self if field.name not in self.HIGHER_BASIS]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ConsultationForm(forms.Form):
    """Whom to consult: the streets and communities the application would reach, grouped by street
    (a searchable picker where JavaScript runs, a plain multiple select where it does not), with
    whole-street shortcuts and one for every community in scope."""

    all_communities = forms.BooleanField(label=_("all communities in the application's scope"), required=False)
    whole_streets = forms.TypedMultipleChoiceField(
        label=_("all communities of these streets"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"data-testid": "whole-streets"}),
    )
    orgs = forms.TypedMultipleChoiceField(
        label=_("streets and communities to consult"),
        coerce=int,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8, "data-picker": "", "data-testid": "consult-picker"}),
    )
    workdays = forms.IntegerField(label=_("working days to answer"), min_value=1, max_value=15, initial=5)

    def __init__(self, *args, streets: list[Org], communities: list[Org], **kwargs):
        super().__init__(*args, **kwargs)
        self.streets, self.communities = streets, communities
        self.by_pk = {o.pk: o for o in [*streets, *communities]}
        self.fields["whole_streets"].choices = [(s.pk, s.name) for s in streets]
        street_office = _("%(street)s (the street itself)")
        self.fields["orgs"].choices = [
            (
                street.name,
                [(street.pk, street_office % {"street": street.name})]
                + [(c.pk, c.name) for c in communities if c.parent_id == street.pk],
            )
            for street in streets
        ]

    def chosen(self) -> list[Org]:
        data = self.cleaned_data
        if data["all_communities"]:
            return list(self.communities)
        whole = set(data["whole_streets"])
        picked = {pk: self.by_pk[pk] for pk in data["orgs"] if pk in self.by_pk}
        picked |= {c.pk: c for c in self.communities if c.parent_id in whole}
        return sorted(picked.values(), key=lambda o: o.path)


class OpinionForm(forms.Form):
    opinion = forms.ChoiceField(
        label=_("opinion"),
        choices=[(o.value, o.label) for o in ANSWERS],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class DecisionForm(forms.Form):
    meeting = forms.ModelChoiceField(label=_("joint meeting"), queryset=Meeting.objects.none())
    decision = forms.ChoiceField(label=_("decision"), choices=Decision.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("reasons"), widget=forms.Textarea(attrs={"rows": 2}))
    changes = forms.CharField(label=_("changes required"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, district: Org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = Meeting.objects.filter(district=district)


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["title", "held_on", "minutes"]
        widgets = {"held_on": DateInput, "minutes": forms.Textarea(attrs={"rows": 3})}


class CheckForm(forms.Form):
    message = forms.CharField(
        label=_("The request that reached you"),
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("Paste the message, e.g. 请各社区于周五前报送…")}),
        max_length=2000,
    )


class ViolationForm(forms.Form):
    department = forms.ModelChoiceField(label=_("department or street that sent it"), queryset=Org.objects.none())
    what = forms.CharField(label=_("what arrived"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    arrived_on = forms.DateField(label=_("arrived on"), widget=DateInput)
    evidence = forms.FileField(label=_("evidence (optional)"), required=False)
    # The check this refusal follows: one arrival, not two (access.arrivals.refuse).
    checked = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, district: Org, **kwargs):
        super().__init__(*args, **kwargs)
        # The district's departments and mass organisations, then its streets and towns.
        senders = [OrgKind.DEPARTMENT, OrgKind.GROUP_ORG, OrgKind.STREET, OrgKind.TOWN]
        self.fields["department"].queryset = Org.objects.filter(kind__in=senders, parent=district).order_by(
            Case(When(kind__in=[OrgKind.STREET, OrgKind.TOWN], then=1), default=0), "code"
        )


class ViolationDecisionForm(forms.Form):
    confirm = forms.TypedChoiceField(
        label=_("decision"),
        choices=[("1", _("Confirm the violation")), ("0", _("Dismiss"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ReviewAssignmentForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("member unit"), queryset=Org.objects.none())
    duty = forms.ChoiceField(label=_("reviews"), choices=ReviewDuty.choices)

    def __init__(self, *args, district: Org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Org.objects.filter(parent=district, is_member_unit=True).order_by("code")
