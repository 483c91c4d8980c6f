from django import forms
from django.utils.translation import gettext_lazy as _

ALLOWED_SUFFIXES = (".xlsx", ".csv")


class SpreadsheetUploadForm(forms.Form):
    """Every import's file field: .xlsx or .csv, UTF-8 or GBK."""

    file = forms.FileField(label=_("File (.xlsx or .csv, UTF-8 or GBK)"))

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith(ALLOWED_SUFFIXES):
            raise forms.ValidationError(_("Upload an .xlsx or .csv file."))
        return f


class DateInput(forms.DateInput):
    """The browser's date picker, which takes ISO dates whatever the page's language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")
