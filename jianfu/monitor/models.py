"""Materialised figures: one row per community and month, one per department and month. Computed
from the other modules (monitor.compute), never typed; dashboards read these rows only."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class CommunityMonth(models.Model):
    community = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="+")
    district = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="+")
    street = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()

    # Catalog work items the community carries this month, by kind (catalog.ItemKind).
    items_total = models.PositiveIntegerField(default=0)
    items_task = models.PositiveIntegerField(default=0)
    items_ledger = models.PositiveIntegerField(default=0)
    items_survey = models.PositiveIntegerField(default=0)
    items_campaign = models.PositiveIntegerField(default=0)
    items_inspection = models.PositiveIntegerField(default=0)
    items_body = models.PositiveIntegerField(default=0)
    items_platform = models.PositiveIntegerField(default=0)
    items_certificate = models.PositiveIntegerField(default=0)
    items_meeting = models.PositiveIntegerField(default=0)
    meetings = models.DecimalField(max_digits=9, decimal_places=2, default=Decimal(0))
    item_hours = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal(0))
    # The shared ledger (一表通): requests received this month and their fields.
    report_requests = models.PositiveIntegerField(default=0)
    fields_asked = models.PositiveIntegerField(default=0)
    fields_prefilled = models.PositiveIntegerField(default=0)
    fields_typed = models.PositiveIntegerField(default=0)
    ledger_hours = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal(0))
    plaques = models.PositiveIntegerField(default=0)
    certificates_issued = models.PositiveIntegerField(default=0)
    # Service: whistles blown here, reported matters and one-window cases closed here.
    whistles = models.PositiveIntegerField(default=0)
    events_closed = models.PositiveIntegerField(default=0)
    services_closed = models.PositiveIntegerField(default=0)
    service_hours = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal(0))
    worker_hours = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal(0))
    burden_index = models.DecimalField(max_digits=8, decimal_places=1, null=True)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("community month figures")
        verbose_name_plural = _("community month figures")
        constraints = [
            models.UniqueConstraint(fields=["community", "year", "month"], name="communitymonth_unique"),
            models.CheckConstraint(condition=models.Q(month__gte=1, month__lte=12), name="communitymonth_month"),
        ]
        indexes = [
            models.Index(fields=["district", "year", "month"], name="communitymonth_district_idx"),
            models.Index(fields=["street", "year", "month"], name="communitymonth_street_idx"),
            models.Index(fields=["district", "computed_at"], name="communitymonth_stamp_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.community_id} {self.year}-{self.month:02d}"


class DepartmentMonth(models.Model):
    """A department's whistles for a month: the counts behind the three rates, and its points."""

    department = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="+")
    district = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    dispatched = models.PositiveIntegerField(default=0)
    responded_on_time = models.PositiveIntegerField(default=0)
    solved = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    points = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["department", "year", "month"], name="departmentmonth_unique"),
        ]
        indexes = [models.Index(fields=["district", "year"], name="departmentmonth_district_idx")]

    def __str__(self) -> str:
        return f"{self.department_id} {self.year}-{self.month:02d}"


class ArrivalChannel(models.TextChoices):
    """How a piece of work reached a community (monitor.arrivals says what each counts)."""

    ORDER = "order", _("Work order")
    LEDGER = "ledger", _("Report request")
    CASE = "case", _("Case dispatched to the community")
    CERTIFICATE = "certificate", _("Certificate asked for")
    CHECK = "check", _("Checked on arrival")
    VIOLATION = "violation", _("Reported as unapproved")
    GATE = "gate", _("Refused when sent")


class ArrivalMonth(models.Model):
    """What reached the communities of a district in a month: one row per community (or street, for
    a street worker's check without a community), sender, kind, channel and whether an item in force
    covered it (monitor.arrivals)."""

    district = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="+")
    street = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="+")
    community = models.ForeignKey("orgs.Org", null=True, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    # The department or street that sent it; none when only written down or asked by a resident.
    sender = models.ForeignKey("orgs.Org", null=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, blank=True)
    channel = models.CharField(max_length=12, choices=ArrivalChannel.choices)
    covered = models.BooleanField()
    count = models.PositiveIntegerField()
    hours = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal(0))
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("arrivals of a month")
        verbose_name_plural = _("arrivals of a month")
        constraints = [
            models.CheckConstraint(condition=models.Q(month__gte=1, month__lte=12), name="arrivalmonth_month"),
        ]
        indexes = [
            models.Index(fields=["district", "year", "month"], name="arrivalmonth_district_idx"),
            models.Index(fields=["street", "year", "month"], name="arrivalmonth_street_idx"),
            models.Index(fields=["community", "year", "month"], name="arrivalmonth_community_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.community_id or self.street_id} {self.year}-{self.month:02d} {self.channel}"
