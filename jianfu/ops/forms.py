"""The holiday schedule's forms: the notice, its holidays and make-up working days, or a sheet of them."""

import datetime as dt
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from jianfu.core.forms import DateInput, SpreadsheetUploadForm

from .services import Holiday

# The statutory holidays (《全国年节及纪念日放假办法》), offered as names for a holiday row.
HOLIDAY_NAMES = ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"]


class NoticeFields(forms.Form):
    notice_title = forms.CharField(
        label=_("Title of the State Council's notice"),
        max_length=200,
        help_text=_("For example: 国务院办公厅关于2027年部分节假日安排的通知"),
    )
    notice_number = forms.CharField(label=_("Document number"), max_length=50, required=False)


class ScheduleForm(NoticeFields):
    makeup_days = forms.CharField(
        label=_("Make-up working days (调休上班)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "2027-02-14\n2027-02-20"}),
        help_text=_("One date a line (or separated by commas), as 2027-02-14."),
    )

    def clean_makeup_days(self) -> list[dt.date]:
        days = []
        for text in re.split(r"[\s,，、;；]+", self.cleaned_data["makeup_days"].strip()):
            if not text:
                continue
            try:
                days.append(dt.date.fromisoformat(text.replace("/", "-")))
            except ValueError:
                raise forms.ValidationError(
                    _("“%(text)s” is not a date (write it as 2027-02-14).") % {"text": text}
                ) from None
        return days


class HolidayForm(forms.Form):
    name = forms.CharField(
        label=_("Holiday"), max_length=100, required=False, widget=forms.TextInput(attrs={"list": "holiday-names"})
    )
    first = forms.DateField(label=_("First day off"), required=False, widget=DateInput)
    last = forms.DateField(label=_("Last day off"), required=False, widget=DateInput)

    def clean(self):
        data = super().clean()
        if any(data.get(f) for f in ("name", "first", "last")):
            for f in ("name", "first", "last"):
                if not data.get(f) and f not in self.errors:
                    self.add_error(f, _("Fill in the holiday's name, first and last day."))
        return data

    def holiday(self) -> Holiday | None:
        data = self.cleaned_data
        if not data or not data.get("name"):
            return None
        return Holiday(name=data["name"].strip(), first=data["first"], last=data["last"])


class ScheduleImportForm(NoticeFields, SpreadsheetUploadForm):
    pass
