from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarOverride(models.Model):
    """A day the office declares a holiday or a make-up workday, for years `chinese-calendar` lacks
    or when the State Council changes the schedule after the package was released."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("is a working day"))
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")

    def __str__(self) -> str:
        return f"{self.date} {'workday' if self.is_workday else 'holiday'}"


class HolidaySchedule(models.Model):
    """That the office entered a year's official schedule from the State Council's notice (国务院办公厅
    关于某年部分节假日安排的通知). The days themselves are CalendarOverride rows of that year; this row
    says the year is no longer estimated from weekends (jianfu.core.workdays.year_is_official)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    notice_title = models.CharField(_("notice title"), max_length=200)
    notice_number = models.CharField(_("notice number"), max_length=50, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered at"))

    class Meta:
        ordering = ["-year"]
        verbose_name = _("official holiday schedule")
        verbose_name_plural = _("official holiday schedules")

    def __str__(self) -> str:
        return f"{self.year} {self.notice_title}"


class Sequence(models.Model):
    """Gap-free yearly counters for human-readable numbers (SQ2026-0001, WG2026-0001, ZR2027-0001)."""

    key = models.CharField(max_length=32, primary_key=True)
    value = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


class DirtyMonth(models.Model):
    """A district month whose figures a change in a source table has made stale. The services that
    change the monitor's sources mark it (jianfu.core.dirty) in the same transaction as the change;
    monitor.services.refresh_dirty recomputes the marked months and removes the marks. It lives in
    core so the source apps, which sit below the monitor, can mark without importing it."""

    # The district's Org primary key: a plain number, since core sits below orgs.
    district = models.BigIntegerField()
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    marked_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["district", "year", "month"], name="core_dirtymonth_unique")]

    def __str__(self) -> str:
        return f"{self.district} {self.year}-{self.month:02d}"


class MonitoredYear(models.Model):
    """A year the district's monitor holds figures for (the monitor writes it when it stores a
    year). Only these years' months are marked: earlier history is not tracked, and a district
    without figures gets them from a full refresh."""

    district = models.BigIntegerField()
    year = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["district", "year"], name="core_monitoredyear_unique")]

    def __str__(self) -> str:
        return f"{self.district} {self.year}"


class History(models.Model):
    """One row per move of a stateful object (jianfu.core.workflow.apply writes it): every app's
    history table inherits these fields and adds its foreign key to the object."""

    action = models.CharField(_("action"), max_length=32)
    from_state = models.CharField(_("from"), max_length=20, blank=True)
    to_state = models.CharField(_("to"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=20, blank=True)
    at = models.DateTimeField(_("at"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]
