import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from jianfu.core import clock
from jianfu.orgs.forms import SpreadsheetUploadForm

from . import indicators as objective
from .models import FIVE_LEVELS, Campaign, Scale
from .services import COMMENT_MAX, Candidate, IndicatorRow


class DateInput(forms.DateInput):
    """HTML date picker; its value must be ISO whatever the active language's date format."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = [
            "title",
            "direction",
            "period_start",
            "period_end",
            "opens_on",
            "closes_on",
            "scale",
            "turnout_threshold",
            "composite_numerator",
            "composite_denominator",
        ]
        widgets = {
            "period_start": DateInput,
            "period_end": DateInput,
            "opens_on": DateInput,
            "closes_on": DateInput,
            "direction": forms.RadioSelect,
            "scale": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["direction"]  # the indicators and targets follow from it
        else:
            today = clock.today()
            year = today.year
            self.initial.setdefault("title", _("%(year)s two-way evaluation") % {"year": year})
            self.initial.setdefault("period_start", dt.date(year, 1, 1))
            self.initial.setdefault("period_end", dt.date(year, 12, 31))
            self.initial.setdefault("opens_on", today)
            self.initial.setdefault("closes_on", today + dt.timedelta(days=21))

    def clean(self):
        data = super().clean()
        if data.get("period_start") and data.get("period_end") and data["period_start"] > data["period_end"]:
            self.add_error("period_end", _("The period ends before it starts."))
        if data.get("opens_on") and data.get("closes_on") and data["opens_on"] > data["closes_on"]:
            self.add_error("closes_on", _("Ballots close before they open."))
        num, den = data.get("composite_numerator"), data.get("composite_denominator")
        if num is not None and den is not None and not 0 < num <= den:
            self.add_error("composite_numerator", _("The share must be a fraction between 0 and 1, such as 1/3."))
        return data


class IndicatorForm(forms.Form):
    name = forms.CharField(label=_("indicator"), max_length=60, required=False)
    description = forms.CharField(label=_("what is rated"), max_length=200, required=False)
    source = forms.ChoiceField(label=_("source"), required=False)
    weight = forms.IntegerField(label=_("weight (%)"), min_value=0, max_value=100, required=False)

    def __init__(self, *args, direction: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("", _("Opinion of the evaluators"))] + [
            (i.code, i.label) for i in objective.available(direction)
        ]


class BaseIndicatorFormSet(forms.BaseFormSet):
    def rows(self) -> list[IndicatorRow]:
        """Filled rows only: an empty name and weight is a spare line."""
        out = []
        for form in self.forms:
            data = form.cleaned_data if form.is_valid() else {}
            if not data.get("name") and not data.get("weight"):
                continue
            out.append(
                IndicatorRow(
                    name=data.get("name", ""),
                    weight=data.get("weight") or 0,
                    source=data.get("source", ""),
                    description=data.get("description", ""),
                )
            )
        return out


IndicatorFormSet = forms.formset_factory(IndicatorForm, formset=BaseIndicatorFormSet, extra=2, max_num=12)


def indicator_formset(campaign: Campaign, data=None) -> BaseIndicatorFormSet:
    initial = [
        {"name": i.name, "description": i.description, "source": i.source, "weight": i.weight}
        for i in campaign.indicators.all()
    ]
    return IndicatorFormSet(data, initial=initial, prefix="ind", form_kwargs={"direction": campaign.direction})


class TargetsForm(forms.Form):
    keys = forms.MultipleChoiceField(label=_("who is rated"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, candidates: list[Candidate], chosen: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keys"].choices = [(c.key, f"{c.name}（{c.org.name}）" if c.worker else c.name) for c in candidates]
        self.initial["keys"] = chosen


class BallotForm(forms.Form):
    """One target's ratings on the campaign's opinion indicators, and an optional comment."""

    def __init__(self, *args, indicators, scale: str, optional: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = [i for i in indicators if i.is_opinion]
        for ind in self.indicators:
            if scale == Scale.FIVE:
                field = forms.TypedChoiceField(
                    label=ind.name,
                    choices=FIVE_LEVELS,
                    coerce=int,
                    widget=forms.RadioSelect(attrs={"class": "levels"}),
                    required=not optional,
                    help_text=ind.description,
                )
            else:
                field = forms.IntegerField(
                    label=ind.name, min_value=0, max_value=100, required=not optional, help_text=ind.description
                )
            self.fields[f"i{ind.pk}"] = field
        self.fields["comment"] = forms.CharField(
            label=_("comment (optional; shown to them after the office has read it)"),
            max_length=COMMENT_MAX,
            required=False,
            widget=forms.Textarea(attrs={"rows": 2}),
        )

    def scores(self) -> dict[int, int]:
        return {
            ind.pk: self.cleaned_data[f"i{ind.pk}"]
            for ind in self.indicators
            if self.cleaned_data.get(f"i{ind.pk}") not in (None, "")
        }

    def indicator_fields(self):
        return [self[f"i{ind.pk}"] for ind in self.indicators]


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("the code on your slip or text message"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )


class IssueForm(forms.Form):
    format = forms.ChoiceField(
        label=_("as"),
        choices=[("pdf", _("printable slips (PDF)")), ("xlsx", _("list for text messages (Excel)"))],
        initial="pdf",
        widget=forms.RadioSelect,
    )


class UploadForm(SpreadsheetUploadForm):
    """Refuses other kinds of file by name, as every other import does."""

    file = forms.FileField(label=_("file (.xlsx or .csv)"))


class CloseForm(forms.Form):
    reason = forms.CharField(label=_("note"), required=False, max_length=200)
