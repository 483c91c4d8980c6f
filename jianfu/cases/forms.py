from django import forms
from django.urls import reverse
from django.utils.translation import pgettext_lazy

from jianfu.orgs.models import Org

from .models import RequestType, Satisfaction


def matter_choices(matters, label=str) -> list:
    """Matters grouped by their category, as <optgroup>s."""
    groups: dict[str, list] = {}
    for m in matters:
        groups.setdefault(m.group.name, []).append((m.pk, label(m)))
    return [("", "—")] + list(groups.items())


class PhotoInput(forms.ClearableFileInput):
    """A photo from the phone's gallery or camera; optional."""

    def __init__(self, attrs=None):
        super().__init__({"accept": "image/*"} | (attrs or {}))


class ReportForm(forms.Form):
    org_unit = forms.TypedChoiceField(label=pgettext_lazy("cases", "Where"), coerce=int)
    matter = forms.TypedChoiceField(label=pgettext_lazy("cases", "Matter"), coerce=int)
    request_type = forms.ChoiceField(
        label=pgettext_lazy("cases", "Type of request"), choices=RequestType.choices, initial=RequestType.HELP
    )
    description = forms.CharField(
        label=pgettext_lazy("cases", "What is the matter?"), widget=forms.Textarea(attrs={"rows": 3})
    )
    address = forms.CharField(
        label=pgettext_lazy("cases", "Address or place"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"list": "addresses"}),
    )
    lat = forms.DecimalField(
        label=pgettext_lazy("cases", "Latitude (optional)"), max_digits=9, decimal_places=6, required=False
    )
    long = forms.DecimalField(
        label=pgettext_lazy("cases", "Longitude (optional)"), max_digits=9, decimal_places=6, required=False
    )
    photo = forms.FileField(label=pgettext_lazy("cases", "Photo (optional)"), required=False, widget=PhotoInput)

    def __init__(self, *args, org_units: list[Org], matters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].choices = [(o.pk, o.name) for o in org_units]
        self.fields["matter"].choices = matter_choices(matters)
        if len(org_units) == 1:
            self.fields["org_unit"].widget = forms.HiddenInput()
            self.initial.setdefault("org_unit", org_units[0].pk)


class WhistleForm(ReportForm):
    """社区吹哨: only the whistle categories' matters, each to its responsible department — chosen with
    the matter (services.whistle_departments), so one choice does it."""

    field_order = ["org_unit", "matter", "assignee", "reason"]

    assignee = forms.TypedChoiceField(
        label=pgettext_lazy("cases", "Whistle to (the matter's responsible department)"),
        coerce=int,
        required=False,
        empty_value=None,
    )
    reason = forms.CharField(
        label=pgettext_lazy("cases", "What the department should do"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, departments_of_matter, **kwargs):
        """`departments_of_matter`: a matter → the departments a whistle for it may go to."""
        super().__init__(*args, **kwargs)
        matters = {m.pk: m for m in kwargs["matters"]}
        self.fields["matter"].choices = matter_choices(
            matters.values(), label=lambda m: f"{m.name}（{m.department.name}）"
        )
        # Choosing the matter swaps its department in (htmx); without script, the form falls back to it.
        self.fields["matter"].widget.attrs |= {
            "hx-get": reverse("cases:whistle"),
            "hx-target": "#whistle-assignee",
            "hx-swap": "outerHTML",
        }
        self._departments = {pk: departments_of_matter(m) for pk, m in matters.items()}
        chosen = self._chosen_matter()
        if chosen is None:
            offered = {d.pk: d for ds in self._departments.values() for d in ds}.values()
        else:
            offered = self._departments[chosen]
            if not self.is_bound and offered:
                self.initial["assignee"] = offered[0].pk
        self.fields["assignee"].choices = [("", "—")] + [(d.pk, d.name) for d in offered]

    def _chosen_matter(self) -> int | None:
        raw = self.data.get("matter") if self.is_bound else self.initial.get("matter")
        try:
            pk = int(raw)
        except (TypeError, ValueError):
            return None
        return pk if pk in self._departments else None

    def clean(self):
        """No department chosen: the matter's responsible one."""
        data = super().clean()
        departments = self._departments.get(data.get("matter"), [])
        if data.get("assignee") is None and departments:
            data["assignee"] = departments[0].pk
        return data


class DispatchForm(forms.Form):
    assignee = forms.TypedChoiceField(label=pgettext_lazy("cases", "Give to"), coerce=int)
    reason = forms.CharField(
        label=pgettext_lazy("cases", "Instructions or reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, targets: list[Org], initial_assignee: Org | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        departments = [(t.pk, t.name) for t in targets if not t.is_region]
        local = [(t.pk, t.name) for t in targets if t.is_region]
        choices: list = [("", "—"), (pgettext_lazy("cases", "Departments and party branches"), departments)]
        if local:
            choices.append((pgettext_lazy("cases", "This community and its grids"), local))
        self.fields["assignee"].choices = choices
        if initial_assignee is not None:
            self.initial["assignee"] = initial_assignee.pk


class ReasonForm(forms.Form):
    reason = forms.CharField(label=pgettext_lazy("cases", "Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(forms.Form):
    reason = forms.CharField(
        label=pgettext_lazy("cases", "Note (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ResolveForm(forms.Form):
    reason = forms.CharField(label=pgettext_lazy("cases", "What was done"), widget=forms.Textarea(attrs={"rows": 3}))
    photo = forms.FileField(label=pgettext_lazy("cases", "Photo (optional)"), required=False, widget=PhotoInput)


class ConfirmForm(forms.Form):
    solved = forms.ChoiceField(
        label=pgettext_lazy("cases", "Is it fixed?"),
        choices=[
            ("fixed", pgettext_lazy("cases", "Yes, fixed")),
            ("reopen", pgettext_lazy("cases", "No, not fixed: reopen")),
            ("unsolved", pgettext_lazy("cases", "Not fixed, and nothing more can be done: record as unsolved")),
        ],
        widget=forms.RadioSelect,
        initial="fixed",
    )
    satisfaction = forms.ChoiceField(
        label=pgettext_lazy("cases", "How satisfied is the reporter?"),
        choices=Satisfaction.choices,
        required=False,
        widget=forms.RadioSelect,
        initial=Satisfaction.SATISFIED,
    )
    reason = forms.CharField(
        label=pgettext_lazy("cases", "Note from the revisit"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MergeForm(forms.Form):
    into = forms.TypedChoiceField(label=pgettext_lazy("cases", "Merge into"), coerce=int)
    reason = forms.CharField(label=pgettext_lazy("cases", "Reason"), required=False)

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].choices = [(c.pk, f"{c.number} · {c.address or c.description[:20]}") for c in targets]


class ApplyForm(forms.Form):
    applicant_name = forms.CharField(label=pgettext_lazy("cases", "Applicant's name"), max_length=50)
    applicant_phone = forms.CharField(label=pgettext_lazy("cases", "Applicant's phone"), max_length=20)
    description = forms.CharField(
        label=pgettext_lazy("cases", "What is needed (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class QueryForm(forms.Form):
    code = forms.CharField(
        label=pgettext_lazy("cases", "Query code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "inputmode": "text"}),
    )
