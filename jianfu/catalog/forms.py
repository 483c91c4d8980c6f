from django import forms
from django.utils.translation import gettext_lazy as _

from jianfu.core.forms import DateInput

MINUTES_SUFFIXES = (".pdf", ".docx", ".doc", ".jpg", ".jpeg", ".png", ".ofd")


class ListPublishForm(forms.Form):
    """The joint meeting (联席会议) that decided a list version, and the day it takes effect."""

    meeting_date = forms.DateField(label=_("Date of the joint meeting"), widget=DateInput())
    meeting_decision = forms.CharField(label=_("Decision of the joint meeting (number)"), max_length=200)
    meeting_minutes = forms.CharField(label=_("Minutes of the joint meeting"), widget=forms.Textarea, required=False)
    meeting_file = forms.FileField(label=_("Minutes (file)"), required=False)
    effective_on = forms.DateField(label=_("In force from"), widget=DateInput())

    def clean_meeting_file(self):
        f = self.cleaned_data.get("meeting_file")
        if f and not f.name.lower().endswith(MINUTES_SUFFIXES):
            raise forms.ValidationError(_("Upload the minutes as PDF, Word, OFD or an image."))
        return f


class ItemCancelForm(forms.Form):
    """The office cancels or revokes an item during the year."""

    effective_on = forms.DateField(label=_("Cancelled with effect from"), widget=DateInput())
    reason = forms.CharField(label=_("Reason for cancellation"), widget=forms.Textarea, max_length=2000)
    responsible_body = forms.CharField(
        label=_("Who does the work from then on"),
        max_length=100,
        required=False,
        help_text=_("The body that takes the work over (leave empty if no one does it any more)."),
    )
