from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jianfu.catalog.models import ItemKind, WorkFields
from jianfu.core.models import History


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting preliminary review")
    RETURNED = "returned", _("Returned to the department")
    REVIEWED = "reviewed", _("Preliminary review passed")
    CONSULTATION = "consultation", _("Consulting streets and communities")
    DELIBERATION = "deliberation", _("Awaiting the joint meeting")
    CHANGES_REQUESTED = "changes_requested", _("Approved with changes: awaiting the department")
    ADJUSTED = "adjusted", _("Adjusted: awaiting the office")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


FINAL_STATES = {State.APPROVED, State.REJECTED, State.WITHDRAWN}
# States in which the department, not the office, holds the application.
WITH_DEPARTMENT = {State.DRAFT, State.RETURNED, State.CHANGES_REQUESTED}


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    APPROVE_WITH_CHANGES = "approve_with_changes", _("Approve with changes")
    REJECT = "reject", _("Reject")


class Meeting(models.Model):
    """A joint-meeting session (联席会议) that deliberates several applications."""

    district = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=100)
    held_on = models.DateField(_("held on"))
    minutes = models.TextField(_("minutes"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("joint meeting")
        verbose_name_plural = _("joint meetings")

    def __str__(self) -> str:
        return self.title


class Application(WorkFields):
    number = models.CharField(_("number"), max_length=20, unique=True)
    # A department (or mass organisation) applies through its clerk, a street or town through its
    # street worker: the applicant holds the application and the item enters under its name.
    department = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("applicant (department or street)"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("why it must reach communities"), blank=True)
    start_date = models.DateField(_("planned start"))
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    decision_due = models.DateField(_("decision due"), null=True, blank=True)
    escalated_on = models.DateField(_("escalated on"), null=True, blank=True)
    consultation_due = models.DateField(_("consultation due"), null=True, blank=True)
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("joint meeting"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    decision = models.CharField(_("decision"), max_length=24, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(_("reasons"), blank=True)
    required_changes = models.TextField(_("changes required"), blank=True)
    work_item = models.OneToOneField(
        "catalog.WorkItem", null=True, blank=True, on_delete=models.PROTECT, related_name="application"
    )
    burden_preview = models.JSONField(default=dict, blank=True)
    overlaps = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("access application")
        verbose_name_plural = _("access applications")
        indexes = [
            # The office's queue and the overdue sweep: open applications by due date.
            models.Index(fields=["state", "decision_due"], name="application_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES

    def is_overdue(self, today) -> bool:
        return (
            self.decision_due is not None
            and not self.is_final
            and self.state not in WITH_DEPARTMENT
            and today > self.decision_due
        )


class Opinion(models.TextChoices):
    AGREE = "agree", _("Agree")
    DISAGREE = "disagree", _("Disagree")
    SUGGEST = "suggest", _("Agree with suggestions")
    NONE = "none", _("No opinion (no answer in time)")  # the answers were due and it gave none
    CLOSED_EARLY = "closed_early", _("No answer (closed early)")  # a quorum closed it before its due date


# What a consulted organisation may answer (the rest are recorded by the close).
ANSWERS = (Opinion.AGREE, Opinion.SUGGEST, Opinion.DISAGREE)


class Transition(History):
    """Append-only timeline of an application: every state change, who, in which role, why, when
    (jianfu.core.workflow writes it). A consulted organisation's answer and a member unit's review
    are entries too: `org` says for whom it was given, `opinion` what a consulted one answered."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(_("from"), max_length=20, blank=True, choices=State.choices)
    to_state = models.CharField(_("to"), max_length=20, choices=State.choices)
    org = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("on behalf of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    opinion = models.CharField(_("opinion"), max_length=16, choices=Opinion.choices, blank=True)

    class Meta(History.Meta):
        verbose_name = _("application transition")
        verbose_name_plural = _("application transitions")

    def __str__(self) -> str:
        return f"{self.application_id}: {self.from_state} → {self.to_state}"


class Consultation(models.Model):
    """One consulted street or community and its opinion (征求基层意见)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="consultations")
    org = models.ForeignKey(
        "orgs.Org", verbose_name=_("consulted organisation"), on_delete=models.PROTECT, related_name="consultations"
    )
    due = models.DateField(_("answer due"))
    opinion = models.CharField(_("opinion"), max_length=16, choices=Opinion.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["org__path"]
        constraints = [models.UniqueConstraint(fields=["application", "org"], name="consultation_unique_org")]

    def __str__(self) -> str:
        return f"{self.application.number} · {self.org}"


class ReviewDuty(models.TextChoices):
    WHOLE = "whole", _("The whole application")
    FUNDING = "funding", _("Funding (money follows the work)")
    BODIES = "bodies", _("Work bodies and plaques")


class ReviewAssignment(models.Model):
    """Which member unit does which part of the preliminary review in a district (the office sets
    it: 财政 the funding, 编办 the bodies and plaques, one unit the whole). None set: any member unit's
    reviewer reviews the whole."""

    district = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "orgs.Org", verbose_name=_("member unit"), on_delete=models.PROTECT, related_name="review_assignments"
    )
    duty = models.CharField(_("reviews"), max_length=12, choices=ReviewDuty.choices)

    class Meta:
        ordering = ["district", "duty", "unit__code"]
        verbose_name = _("review duty")
        verbose_name_plural = _("review duties")
        constraints = [
            models.UniqueConstraint(fields=["district", "unit", "duty"], name="review_assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.get_duty_display()}"


def attachment_path(instance, filename: str) -> str:
    return f"applications/{instance.application_id}/{filename}"


class Attachment(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path)
    name = models.CharField(_("name"), max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class ViolationState(models.TextChoices):
    REPORTED = "reported", _("Reported")
    CONFIRMED = "confirmed", _("Confirmed violation")
    DISMISSED = "dismissed", _("Dismissed")


def evidence_path(instance, filename: str) -> str:
    return f"violations/{instance.number}/{filename}"


class ViolationReport(models.Model):
    """Work that reached a community without approval, from a department or a street. The reporter
    (and the community) is never shown to the department or street that sent it."""

    number = models.CharField(_("receipt number"), max_length=20, unique=True)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey("orgs.Org", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        "orgs.Org", verbose_name=_("department or street"), on_delete=models.PROTECT, related_name="violations"
    )
    what = models.TextField(_("what arrived"))
    arrived_on = models.DateField(_("arrived on"))
    evidence = models.FileField(_("evidence"), upload_to=evidence_path, blank=True)
    matched_item = models.ForeignKey(
        "catalog.WorkItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(_("state"), max_length=16, choices=ViolationState.choices, default=ViolationState.REPORTED)
    office_note = models.TextField(_("office note"), blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("violation report")
        verbose_name_plural = _("violation reports")
        indexes = [models.Index(fields=["department", "state"], name="violation_department_idx")]

    def __str__(self) -> str:
        return self.number


class ViolationEvent(History):
    """Every decision on a violation report: confirmed or dismissed, by whom, why (jianfu.core.workflow
    writes it)."""

    report = models.ForeignKey(ViolationReport, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(_("from"), max_length=20, blank=True, choices=ViolationState.choices)
    to_state = models.CharField(_("to"), max_length=20, choices=ViolationState.choices)

    class Meta(History.Meta):
        verbose_name = _("violation report event")
        verbose_name_plural = _("violation report events")

    def __str__(self) -> str:
        return f"{self.report_id}: {self.from_state} → {self.to_state}"


class CheckDecision(models.TextChoices):
    IN_FORCE = "in_force", _("Covered by an item in force")
    NOT_YET = "not_yet", _("Approved, not yet in force")
    NOT_IN_FORCE = "not_in_force", _("Not covered by any item in force")
    NEGATIVE = "negative", _("Must not enter (negative list or forbidden work)")


class CheckChannel(models.TextChoices):
    CHECK = "check", _("Checked")
    REFUSAL = "refusal", _("Refused with a receipt")
    LEDGER = "ledger", _("Report refused when sent")
    DISPATCH = "dispatch", _("Case refused when dispatched")


class CheckRecord(models.Model):
    """What reached a community and what the gate answered (issue 19, point 7): each check on the
    "这能派吗?" page and each refusal. No personal data: the sender (an organisation of the district,
    or as written), the kind, the item and the decision — neither the message nor who asked."""

    channel = models.CharField(_("how it was answered"), max_length=8, choices=CheckChannel.choices)
    org = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("where it arrived (community or street)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    sender = models.ForeignKey(
        "orgs.Org", verbose_name=_("sender"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sender_written = models.CharField(_("sender as written"), max_length=60, blank=True)
    kind = models.CharField(_("kind of work"), max_length=16, choices=ItemKind.choices, blank=True)
    item = models.ForeignKey(
        "catalog.WorkItem",
        verbose_name=_("item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision = models.CharField(_("decision"), max_length=16, choices=CheckDecision.choices)
    rule = models.CharField(_("forbidden-work rule"), max_length=24, blank=True)
    reason = models.CharField(_("why the gate refused it"), max_length=300, blank=True)
    report = models.ForeignKey(
        ViolationReport,
        verbose_name=_("refusal receipt"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="check_records",
    )
    arrived_on = models.DateField(_("arrived on"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("check record")
        verbose_name_plural = _("check records")
        indexes = [models.Index(fields=["org", "arrived_on"], name="check_record_org_idx")]

    def __str__(self) -> str:
        return f"{self.arrived_on} {self.get_channel_display()} {self.decision}"
