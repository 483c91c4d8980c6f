from django import forms
from django.utils.translation import gettext_lazy as _

from jianfu.catalog.models import WorkItem
from jianfu.registry.models import Tag

from .models import CAP_MAX, DataElement, PeriodType

MEASURE_CHOICES = [
    ("", _("— typed by communities —")),
    ("people", _("People living here")),
    ("resident_households", _("Resident households")),
    ("registered_households", _("Registered households")),
    ("houses", _("Houses")),
    ("units", _("Units")),
]


class ElementForm(forms.ModelForm):
    options_text = forms.CharField(
        label=_("Options (one per line)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    measure = forms.ChoiceField(label=_("Derived from the base registry"), choices=MEASURE_CHOICES, required=False)
    age_min = forms.IntegerField(label=_("aged at least"), min_value=0, max_value=120, required=False)
    age_max = forms.IntegerField(label=_("aged at most"), min_value=0, max_value=120, required=False)
    tags = forms.ModelMultipleChoiceField(
        label=_("carrying the tags"), queryset=Tag.objects.all(), to_field_name="code", required=False
    )
    items = forms.ModelMultipleChoiceField(
        label=_("Catalog items that justify it"), queryset=WorkItem.objects.none(), required=False
    )

    class Meta:
        model = DataElement
        fields = [
            "code",
            "name",
            "definition",
            "unit",
            "value_type",
            "level",
            "period_type",
            "aggregation",
            "min_value",
            "max_value",
        ]
        widgets = {"definition": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, items=None, **kwargs):
        super().__init__(*args, **kwargs)
        if items is not None:
            self.fields["items"].queryset = items

    def element_fields(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["options"] = [line.strip() for line in self.cleaned_data["options_text"].splitlines() if line.strip()]
        if self.cleaned_data["measure"]:
            spec = {"measure": self.cleaned_data["measure"]}
            for key in ("age_min", "age_max"):
                if self.cleaned_data[key] is not None:
                    spec[key] = self.cleaned_data[key]
            if self.cleaned_data["tags"]:
                spec["tags"] = [t.code for t in self.cleaned_data["tags"]]
            data["derivation"] = spec
        return data


class TemplateForm(forms.Form):
    name = forms.CharField(label=_("Report name"), max_length=100)
    item = forms.ModelChoiceField(label=_("Approved catalog item"), queryset=WorkItem.objects.none())
    period_type = forms.ChoiceField(label=_("Period"), choices=PeriodType.choices[:3])
    elements = forms.ModelMultipleChoiceField(
        label=_("Fields (data elements)"), queryset=DataElement.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, items, elements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
        self.fields["elements"].queryset = elements


class FieldsForm(forms.Form):
    elements = forms.ModelMultipleChoiceField(
        label=_("Fields (data elements)"), queryset=DataElement.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, elements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["elements"].queryset = elements


class SendForm(forms.Form):
    period = forms.CharField(label=_("Period"), max_length=10, help_text=_("e.g. 2026-11, 2026Q4 or 2026"))
    due_workdays = forms.IntegerField(label=_("Due in working days"), min_value=1, max_value=60, initial=5)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SurveyForm(forms.Form):
    # Its size is checked where the view reads it (tabular.read_upload), refused like any rule.
    file = forms.FileField(label=_("XLSForm (.xlsx)"))


class DistrictCapForm(forms.Form):
    """The district's cap (只报一次): any positive whole number; the view warns outside 3–5."""

    max_templates = forms.IntegerField(
        label=_("Report templates in force per department, at most"), min_value=1, max_value=CAP_MAX
    )
    reason = forms.CharField(label=_("Reason (optional)"), max_length=200, required=False)


class CapForm(forms.Form):
    """A department's own cap; left empty, its district's applies."""

    max_templates = forms.IntegerField(
        label=_("report templates in force at most"), min_value=1, max_value=CAP_MAX, required=False
    )
