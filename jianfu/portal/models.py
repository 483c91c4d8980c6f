"""What the portal itself keeps: the departments' public commitments shown on every community page."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Commitment(models.Model):
    """四到社区: what a department does for residents, its duty phone and complaint phone, shown
    publicly on every community page within its scope."""

    department = models.OneToOneField(
        "orgs.Org",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="commitment",
    )
    duties = models.TextField(_("duties towards residents"))
    duty_phone = models.CharField(_("duty phone"), max_length=40)
    complaint_phone = models.CharField(_("complaint phone"), max_length=40)
    hours = models.CharField(_("office hours"), max_length=100, blank=True)
    streets = models.ManyToManyField(
        "orgs.Org",
        verbose_name=_("only in these streets/towns (empty: all)"),
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        ordering = ["department__path"]
        verbose_name = _("public commitment")
        verbose_name_plural = _("public commitments")

    def __str__(self) -> str:
        return str(self.department)
