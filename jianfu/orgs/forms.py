from django import forms
from django.utils.translation import gettext_lazy as _

ALLOWED_SUFFIXES = (".xlsx", ".csv")


class SpreadsheetUploadForm(forms.Form):
    file = forms.FileField(label=_("File (.xlsx or .csv, UTF-8 or GBK)"))

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith(ALLOWED_SUFFIXES):
            raise forms.ValidationError(_("Upload an .xlsx or .csv file."))
        return f
