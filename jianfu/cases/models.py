"""One case engine for two kinds of case: reported matters and whistles (吹哨报到), and one-window
service applications (一窗受理、一次办好). Every case moves through the same states; each stage has a
deadline (working days on the official calendar, or minutes for the first whistle stage)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jianfu.core.crypto import EncryptedCharField
from jianfu.core.models import History


class CaseKind(models.TextChoices):
    EVENT = "event", pgettext_lazy("cases", "Reported matter or whistle")
    SERVICE = "service", pgettext_lazy("cases", "One-window service application")


class State(models.TextChoices):
    REPORTED = "reported", pgettext_lazy("cases", "Reported")
    ACCEPTED = "accepted", pgettext_lazy("cases", "Accepted")
    DISPATCHED = "dispatched", pgettext_lazy("cases", "Dispatched")
    RESPONDED = "responded", pgettext_lazy("cases", "Responded (arrived)")
    RESOLVED = "resolved", pgettext_lazy("cases", "Resolved")
    REOPENED = "reopened", pgettext_lazy("cases", "Reopened: not fixed")
    CONFIRMED = "confirmed", pgettext_lazy("cases", "Confirmed")
    CLOSED = "closed", pgettext_lazy("cases", "Closed")
    MERGED = "merged", pgettext_lazy("cases", "Merged into another case")


FINAL_STATES = {State.CLOSED, State.MERGED}
# States that count as finished for the public (Open311 "closed").
DONE_STATES = {State.RESOLVED, State.CONFIRMED, State.CLOSED, State.MERGED}
# States in which the assignee holds the case.
WITH_ASSIGNEE = {State.DISPATCHED, State.RESPONDED, State.REOPENED}


class RequestType(models.TextChoices):
    """How 12345 hotlines type requests (国办函〔2025〕66号)."""

    CONSULT = "consult", pgettext_lazy("cases", "Enquiry")
    HELP = "help", pgettext_lazy("cases", "Request for help")
    COMPLAINT = "complaint", pgettext_lazy("cases", "Complaint")
    REPORT = "report", pgettext_lazy("cases", "Report of wrongdoing")
    SUGGESTION = "suggestion", pgettext_lazy("cases", "Suggestion")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", pgettext_lazy("cases", "Satisfied")
    BASIC = "basic", pgettext_lazy("cases", "Basically satisfied")
    DISSATISFIED = "dissatisfied", pgettext_lazy("cases", "Dissatisfied")


SATISFIED = {Satisfaction.SATISFIED, Satisfaction.BASIC}


class Channel(models.TextChoices):
    GRID = "grid", pgettext_lazy("cases", "Grid worker")
    COMMUNITY = "community", pgettext_lazy("cases", "Community")
    STREET = "street", pgettext_lazy("cases", "Street")
    WINDOW = "window", pgettext_lazy("cases", "Service window")
    RESIDENT = "resident", pgettext_lazy("cases", "Resident online")
    OPEN311 = "open311", _("Open311 client")
    API = "api", pgettext_lazy("cases", "API")


class GroupKind(models.TextChoices):
    WHISTLE = "whistle", pgettext_lazy("cases", "Whistle category")
    GRID = "grid", pgettext_lazy("cases", "Grid matters")


class MatterGroup(models.Model):
    """A category of matters: the three whistle categories (seed 003) or the grid workers' matters.
    The first stage (respond) is counted in minutes when set (平谷: arrive within 30 minutes),
    otherwise in working days."""

    district = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=16, choices=GroupKind.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    respond_minutes = models.PositiveIntegerField(_("respond within (minutes)"), null=True, blank=True)
    respond_workdays = models.PositiveSmallIntegerField(_("respond within (working days)"), default=1)
    resolve_workdays = models.PositiveSmallIntegerField(_("resolve within (working days)"), default=5)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("matter category")
        verbose_name_plural = _("matter categories")

    def __str__(self) -> str:
        return self.name


class Matter(models.Model):
    """A concrete matter a whistle may be blown for, or a grid worker may report (a service in Open311)."""

    group = models.ForeignKey(MatterGroup, verbose_name=_("category"), on_delete=models.PROTECT, related_name="matters")
    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    department = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("responsible department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    work_item = models.ForeignKey(
        "catalog.WorkItem",
        verbose_name=_("list item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The item of the lists this matter corresponds to, if any."),
    )
    respond_minutes = models.PositiveIntegerField(_("respond within (minutes)"), null=True, blank=True)
    resolve_workdays = models.PositiveSmallIntegerField(_("resolve within (working days)"), null=True, blank=True)
    public = models.BooleanField(
        _("public (Open311)"), default=True, help_text=_("Key-person matters and the like are never published.")
    )
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["group__order", "order", "code"]
        verbose_name = _("matter")
        verbose_name_plural = _("matters")

    def __str__(self) -> str:
        return self.name


class ServiceGroup(models.TextChoices):
    PARTY = "party", pgettext_lazy("cases", "Party building")
    CONVENIENCE = "convenience", pgettext_lazy("cases", "Convenience services")
    PUBLIC = "public", pgettext_lazy("cases", "Public services")
    GOVERNMENT = "government", pgettext_lazy("cases", "Government services")


class HandledAt(models.TextChoices):
    WINDOW = "window", pgettext_lazy("cases", "Done at the community window")
    DEPARTMENT = "department", pgettext_lazy("cases", "Passed on to the department")


class ServiceItem(models.Model):
    """One of the service items moved down to community windows (德城: 167 items). One handled at
    the window is work the community does itself: only under an item of the lists in force for the
    community (非准不入; services.window_refusal asks jianfu.catalog.gate)."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=100)
    group = models.CharField(_("group"), max_length=16, choices=ServiceGroup.choices)
    department = models.ForeignKey(
        "orgs.Org", verbose_name=_("department"), on_delete=models.PROTECT, related_name="service_items"
    )
    materials = models.JSONField(_("materials required"), default=list, blank=True)
    steps = models.JSONField(_("handling steps"), default=list, blank=True)
    time_limit_workdays = models.PositiveSmallIntegerField(_("time limit (working days)"))
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)
    handled_at = models.CharField(_("handled"), max_length=16, choices=HandledAt.choices, default=HandledAt.WINDOW)
    work_item = models.ForeignKey(
        "catalog.WorkItem",
        verbose_name=_("list item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The item of the lists in force under which community windows handle it themselves."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["group", "code"]
        verbose_name = _("service item")
        verbose_name_plural = _("service items")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Case(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=CaseKind.choices)
    matter = models.ForeignKey(
        Matter, verbose_name=_("matter"), null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    service_item = models.ForeignKey(
        ServiceItem,
        verbose_name=_("service item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    request_type = models.CharField(
        _("type of request"), max_length=16, choices=RequestType.choices, default=RequestType.HELP
    )
    org_unit = models.ForeignKey("orgs.Org", verbose_name=_("where"), on_delete=models.PROTECT, related_name="+")
    # The org unit's materialised path, copied so that "cases under X" is one indexed prefix query.
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    address_ref = models.ForeignKey(
        "registry.Address",
        verbose_name=_("standard address"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    description = models.TextField(_("description"))
    media_url = models.URLField(_("media URL (Open311)"), blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reporter"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    # Service applications: who applied, and the code they follow progress with.
    applicant_name = EncryptedCharField(_("applicant"), max_length=50, blank=True)
    applicant_phone = EncryptedCharField(_("applicant's phone"), max_length=20, blank=True)
    query_code = models.CharField(_("query code"), max_length=12, null=True, blank=True, unique=True)

    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.REPORTED)
    whistle = models.BooleanField(_("whistle"), default=False)
    dispatcher = models.ForeignKey(
        "orgs.Org", verbose_name=_("dispatched by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        "orgs.Org", verbose_name=_("assignee"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    disputed = models.BooleanField(_("disputed"), default=False)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), null=True, blank=True, on_delete=models.PROTECT, related_name="merged"
    )

    reported_at = models.DateTimeField(_("reported"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched"), null=True, blank=True)
    responded_at = models.DateTimeField(_("responded"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    stage_due = models.DateTimeField(_("current stage due"), null=True, blank=True)
    respond_due = models.DateTimeField(_("respond by"), null=True, blank=True)
    resolve_due = models.DateTimeField(_("resolve by"), null=True, blank=True)
    responded_on_time = models.BooleanField(_("responded on time"), null=True, blank=True)
    resolved_on_time = models.BooleanField(_("resolved on time"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    solved = models.BooleanField(_("solved (reporter's word)"), null=True, blank=True)
    satisfaction = models.CharField(_("satisfaction"), max_length=16, choices=Satisfaction.choices, blank=True)
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            # The three rates: one department's whistles of one month.
            models.Index(fields=["assignee", "dispatched_at"], name="case_assignee_month_idx"),
            # The overdue sweep: open cases by the due date of their current stage.
            models.Index(fields=["state", "stage_due"], name="case_stage_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="service", service_item__isnull=False) | Q(kind="event", matter__isnull=False),
                name="case_kind_has_its_subject",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def subject(self) -> str:
        return self.service_item.name if self.service_item_id else self.matter.name

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES

    def is_overdue(self, now) -> bool:
        return (
            self.stage_due is not None and self.state not in FINAL_STATES | {State.CONFIRMED} and now > self.stage_due
        )


class CaseEvent(History):
    """Append-only history of a case: every transition and every dispute, return and reassignment
    (jianfu.core.workflow writes it; the report that opens a case is written by the services), with
    the organisation the actor acted for and whom the case was with after the step."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(_("from"), max_length=20, blank=True, choices=State.choices)
    to_state = models.CharField(_("to"), max_length=20, choices=State.choices)
    org = models.ForeignKey("orgs.Org", null=True, on_delete=models.PROTECT, related_name="+")
    assignee = models.ForeignKey("orgs.Org", null=True, on_delete=models.PROTECT, related_name="+")

    class Meta(History.Meta):
        indexes = [models.Index(fields=["assignee", "case"], name="caseevent_assignee_idx")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.action}"


def photo_path(instance, filename: str) -> str:
    return f"cases/{instance.case_id}/{filename}"


class CasePhoto(models.Model):
    """Optional, never required."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("photo"), upload_to=photo_path)
    name = models.CharField(max_length=200)
    stage = models.CharField(max_length=16, choices=State.choices)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class PointRule(models.TextChoices):
    RESPOND_ON_TIME = "respond_on_time", pgettext_lazy("cases", "Responded on time")
    RESPOND_LATE = "respond_late", pgettext_lazy("cases", "Responded late")
    RESOLVE_ON_TIME = "resolve_on_time", pgettext_lazy("cases", "Resolved on time")
    RESOLVE_LATE = "resolve_late", pgettext_lazy("cases", "Resolved late")
    REOPENED = "reopened", pgettext_lazy("cases", "Reopened: not fixed")
    SATISFIED = "satisfied", pgettext_lazy("cases", "Reporter satisfied")
    BASIC = "basic", pgettext_lazy("cases", "Reporter basically satisfied")
    DISSATISFIED = "dissatisfied", pgettext_lazy("cases", "Reporter dissatisfied")


class PointEntry(models.Model):
    """Points awarded to or deducted from the department that answered a whistle, by rule. The
    period is the month the whistle was dispatched in, so points and rates share one cohort."""

    department = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="points")
    rule = models.CharField(max_length=20, choices=PointRule.choices)
    points = models.SmallIntegerField()
    period = models.DateField()
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["department", "period"], name="points_department_period_idx")]

    def __str__(self) -> str:
        return f"{self.department_id} {self.rule} {self.points}"


class Escalation(models.Model):
    """An overdue stage, flagged once and escalated to the office of the district."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="escalations")
    office = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=16, choices=State.choices)
    due = models.DateTimeField()
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [models.UniqueConstraint(fields=["case", "state", "due"], name="escalation_once_per_stage")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.state} {self.due}"
