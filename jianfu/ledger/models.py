"""一表通: every fact about a community is a data element, kept once per (element, org unit, period),
and every department report is assembled from those values.

Most elements are derived from the base registry and never typed; typed values are the exception.
Aggregates above the level where a value is kept (grid → community → street → district) are kept up
to date by the service that writes the value, as deltas, so new figures show at once.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from jianfu.core.models import History

from . import periods


class ValueType(models.TextChoices):
    INTEGER = "integer", _("Integer")
    DECIMAL = "decimal", _("Decimal")
    TEXT = "text", _("Text")
    DATE = "date", _("Date")
    BOOLEAN = "boolean", _("Yes/no")
    OPTION = "option", _("Option set")


NUMERIC_TYPES = {ValueType.INTEGER, ValueType.DECIMAL, ValueType.BOOLEAN}


class Level(models.TextChoices):
    COMMUNITY = "community", _("Community")
    GRID = "grid", _("Grid")


class PeriodType(models.TextChoices):
    MONTHLY = periods.MONTHLY, _("Monthly")
    QUARTERLY = periods.QUARTERLY, _("Quarterly")
    YEARLY = periods.YEARLY, _("Yearly")
    AS_OF = periods.AS_OF, _("As of a date")


class Aggregation(models.TextChoices):
    SUM = "sum", _("Sum")
    AVERAGE = "average", _("Average")
    COUNT = "count", _("Count (units with a value that is yes or not zero)")
    NONE = "none", _("Not rolled up")


class ElementState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACTIVE = "active", _("In use")
    RETIRED = "retired", _("Retired")


class DataElement(models.Model):
    """One fact, defined once for the district. `derivation` set: computed from the base registry."""

    district = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    definition = models.TextField(_("definition"), blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    value_type = models.CharField(_("value type"), max_length=16, choices=ValueType.choices)
    options = models.JSONField(
        _("options"), default=list, blank=True, help_text=_("One option per line for option sets.")
    )
    level = models.CharField(_("reporting level"), max_length=16, choices=Level.choices, default=Level.COMMUNITY)
    period_type = models.CharField(_("period type"), max_length=16, choices=PeriodType.choices)
    aggregation = models.CharField(_("roll-up"), max_length=16, choices=Aggregation.choices, default=Aggregation.SUM)
    department = models.ForeignKey(
        "orgs.Org", verbose_name=_("owning department"), on_delete=models.PROTECT, related_name="data_elements"
    )
    items = models.ManyToManyField(
        "catalog.WorkItem", verbose_name=_("catalog items that justify it"), blank=True, related_name="data_elements"
    )
    derivation = models.JSONField(_("derived from the base registry"), default=dict, blank=True)
    min_value = models.DecimalField(_("least value"), max_digits=14, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(_("greatest value"), max_digits=14, decimal_places=2, null=True, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=ElementState.choices, default=ElementState.ACTIVE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("data element")
        verbose_name_plural = _("data elements")
        constraints = [models.UniqueConstraint(fields=["district", "code"], name="element_unique_code")]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）" if self.unit else self.name

    @property
    def derived(self) -> bool:
        return bool(self.derivation)

    @property
    def numeric(self) -> bool:
        return self.value_type in NUMERIC_TYPES


class DataElementEvent(History):
    """Every move of a data element (put into use by the office); jianfu.core.workflow writes it."""

    element = models.ForeignKey(DataElement, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(_("from"), max_length=20, blank=True, choices=ElementState.choices)
    to_state = models.CharField(_("to"), max_length=20, choices=ElementState.choices)

    class Meta(History.Meta):
        verbose_name = _("data element event")
        verbose_name_plural = _("data element events")

    def __str__(self) -> str:
        return f"{self.element_id}: {self.action}"


class ValueSource(models.TextChoices):
    TYPED = "typed", _("Typed")
    IMPORTED = "imported", _("Imported")
    REPORT = "report", _("Supplied in a report")


class Value(models.Model):
    """One value per (element, org unit, period). Corrections keep history and are audited."""

    element = models.ForeignKey(DataElement, on_delete=models.PROTECT, related_name="values")
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, editable=False)
    period = models.CharField(_("period"), max_length=10)
    text = models.CharField(_("value"), max_length=500)
    number = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    source = models.CharField(max_length=16, choices=ValueSource.choices, default=ValueSource.TYPED)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    entered_at = models.DateTimeField()
    locked_by = models.ForeignKey(
        "Submission", null=True, blank=True, on_delete=models.SET_NULL, related_name="locked_values"
    )
    history = HistoricalRecords(excluded_fields=["org_path"])

    class Meta:
        verbose_name = _("value")
        verbose_name_plural = _("ledger values")
        constraints = [models.UniqueConstraint(fields=["element", "org", "period"], name="value_one_per_period")]
        indexes = [models.Index(fields=["element", "period", "org_path"], name="value_rollup_idx")]

    def __str__(self) -> str:
        return self.text


class Aggregate(models.Model):
    """Roll-up of the values below an org for one element and period, updated by deltas.
    For as-of elements the period is "latest": the sum over each unit's latest value."""

    element = models.ForeignKey(DataElement, on_delete=models.CASCADE, related_name="+")
    org = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=10)
    total = models.DecimalField(max_digits=20, decimal_places=4, default=0)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["element", "org", "period"], name="aggregate_one_per_period")]

    def __str__(self) -> str:
        return f"{self.element_id}/{self.org_id}/{self.period}"


LATEST = "latest"


CAP_MAX = 32767  # a report template cap's column limit (PositiveSmallIntegerField), not a rule


class DistrictReportCap(models.Model):
    """只报一次: how many report templates each department of a district may have in force.

    The number is the district's access office's own setting (without a row: settings.JIANFU
    ["LEDGER_TEMPLATE_CAP"], 5). No source document gives one: they ask that ledgers and report forms
    be cut back (seed 001: 「社区会议、纸质工作台账减少了50%」 and 「对社区居委会填报的各种台账、各类报表
    …进行彻底清理」; seed 000 counted 「考核台账多达47套」), so nothing may cite a seed for the number.
    """

    district = models.OneToOneField(
        "orgs.Org", verbose_name=_("district"), on_delete=models.CASCADE, related_name="report_template_cap"
    )
    max_templates = models.PositiveSmallIntegerField(_("report templates in force per department at most"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("district report template cap")
        verbose_name_plural = _("district report template caps")
        constraints = [
            models.CheckConstraint(condition=Q(max_templates__gte=1), name="district_report_cap_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.district_id}: {self.max_templates}"


class TemplateCap(models.Model):
    """A department's own cap, set by the office as an exception to its district's (DistrictReportCap)."""

    department = models.OneToOneField("orgs.Org", on_delete=models.CASCADE, related_name="report_cap")
    max_templates = models.PositiveSmallIntegerField(_("report templates in force at most"))

    class Meta:
        verbose_name = _("report template cap")
        verbose_name_plural = _("report template caps")

    def __str__(self) -> str:
        return f"{self.department_id}: {self.max_templates}"


class ReportTemplate(models.Model):
    department = models.ForeignKey(
        "orgs.Org", verbose_name=_("department"), on_delete=models.PROTECT, related_name="report_templates"
    )
    item = models.ForeignKey(
        "catalog.WorkItem", verbose_name=_("approved catalog item"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    retired = models.BooleanField(_("retired"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["department__path", "name"]
        verbose_name = _("report template")
        verbose_name_plural = _("report templates")

    def __str__(self) -> str:
        return self.name


class VersionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", pgettext_lazy("ledger", "Published")


class TemplateVersion(models.Model):
    """A published version never changes; a change is a new version."""

    template = models.ForeignKey(ReportTemplate, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=16, choices=VersionState.choices, default=VersionState.DRAFT)
    period_type = models.CharField(_("period type"), max_length=16, choices=PeriodType.choices[:3])
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["template", "-number"]
        verbose_name = _("report template version")
        verbose_name_plural = _("report template versions")
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="version_unique_number"),
            models.UniqueConstraint(
                fields=["template"], condition=Q(state="draft"), name="version_one_draft_per_template"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} v{self.number}"


class TemplateVersionEvent(History):
    """Every move of a template version (its publication, its edits as a draft)."""

    version = models.ForeignKey(TemplateVersion, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(_("from"), max_length=20, blank=True, choices=VersionState.choices)
    to_state = models.CharField(_("to"), max_length=20, choices=VersionState.choices)

    class Meta(History.Meta):
        verbose_name = _("report template version event")
        verbose_name_plural = _("report template version events")

    def __str__(self) -> str:
        return f"{self.version_id}: {self.action}"


class TemplateField(models.Model):
    version = models.ForeignKey(TemplateVersion, on_delete=models.CASCADE, related_name="fields")
    element = models.ForeignKey(DataElement, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    required = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["version", "element"], name="field_once_per_version")]

    def __str__(self) -> str:
        return str(self.element_id)


class ReportRequest(models.Model):
    """A department asks communities for one period of a published template version."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    version = models.ForeignKey(TemplateVersion, on_delete=models.PROTECT, related_name="requests")
    period = models.CharField(_("period"), max_length=10)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_on = models.DateField(_("sent on"))
    due_on = models.DateField(_("due on"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-sent_on", "-pk"]
        verbose_name = _("report request")
        verbose_name_plural = _("report requests")

    def __str__(self) -> str:
        return f"{self.number} {self.version.template} {periods.label(self.period)}"


class SubmissionState(models.TextChoices):
    OPEN = "open", _("Being filled in")
    SUBMITTED = "submitted", _("Submitted, awaiting the street")
    STREET_ACCEPTED = "street_accepted", _("Accepted by the street, awaiting the department")
    ACCEPTED = "accepted", _("Accepted and locked")
    RETURNED = "returned", _("Returned for correction")


EDITABLE_STATES = (SubmissionState.OPEN, SubmissionState.RETURNED)


class Submission(models.Model):
    """One community's answer to a request. On submission the values are copied into `data`, so
    an export shows what was reported even after the ledger or the template changes."""

    request = models.ForeignKey(ReportRequest, on_delete=models.CASCADE, related_name="submissions")
    community = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=16, choices=SubmissionState.choices, default=SubmissionState.OPEN)
    field_count = models.PositiveSmallIntegerField(default=0)
    prefilled_count = models.PositiveSmallIntegerField(null=True, blank=True)
    typed_count = models.PositiveSmallIntegerField(default=0)
    opened_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["request", "community__path"]
        verbose_name = _("report submission")
        verbose_name_plural = _("report submissions")
        constraints = [models.UniqueConstraint(fields=["request", "community"], name="submission_once_per_community")]

    def __str__(self) -> str:
        return f"{self.request.number} · {self.community}"


class SubmissionStep(History):
    """Append-only trail of the approval chain: who moved the submission, from what to what, why
    (jianfu.core.workflow writes it)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="steps")
    from_state = models.CharField(_("from"), max_length=20, blank=True, choices=SubmissionState.choices)
    to_state = models.CharField(_("to"), max_length=20, choices=SubmissionState.choices)

    class Meta(History.Meta):
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")

    def __str__(self) -> str:
        return self.action


class Operator(models.TextChoices):
    LE = "<=", "≤"
    LT = "<", "<"
    GE = ">=", "≥"
    GT = ">", ">"
    EQ = "==", "="


class ValidationRule(models.Model):
    """A rule across elements, e.g. RESIDENT_HOUSEHOLDS <= REGISTERED_HOUSEHOLDS + MIGRANT_HOUSEHOLDS.
    Each side is element codes and numbers joined by + and -."""

    district = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    left = models.CharField(_("left side"), max_length=200)
    operator = models.CharField(_("operator"), max_length=2, choices=Operator.choices)
    right = models.CharField(_("right side"), max_length=200)
    message = models.CharField(_("message"), max_length=200)

    class Meta:
        verbose_name = _("validation rule")
        verbose_name_plural = _("validation rules")

    def __str__(self) -> str:
        return f"{self.left} {self.get_operator_display()} {self.right}"


class SurveyImport(models.Model):
    """An XLSForm a department uploaded: each question matched to the registry or a data element."""

    department = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()
    file_name = models.CharField(max_length=200)
    title = models.CharField(_("title"), max_length=200)
    form_id = models.CharField(max_length=100)
    form_version = models.CharField(max_length=50, blank=True)
    questions = models.JSONField(default=list)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("XLSForm survey")
        verbose_name_plural = _("XLSForm surveys")

    def __str__(self) -> str:
        return self.title
