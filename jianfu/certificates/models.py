"""Certificates (盖章证明): what a residents' committee may stamp, the requests residents make, the
certificates it issues, and every use of its seal.

Certificate types are never created here: they are the catalog's certificate items on the office's
lists (盖章证明事项清单 = may issue, 负面清单 = must not). ``CertificateType`` only adds what issuing
needs to such an item: the facts the committee can vouch for, the wording, and the office's flags.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jianfu.core.models import History


class CertificateType(models.Model):
    """The office's settings for one certificate item of the lists (one-to-one with the catalog item)."""

    item = models.OneToOneField(
        "catalog.WorkItem", verbose_name=_("list item"), on_delete=models.PROTECT, related_name="certificate_type"
    )
    aliases = models.JSONField(
        _("other names people use"),
        default=list,
        blank=True,
        help_text=_("Names banks, employers and residents use for it, e.g. 生存证明 for 健在证明."),
    )
    facts_vouched = models.TextField(_("facts the committee can vouch for"), blank=True)
    statement = models.TextField(
        _("wording of the certificate"),
        blank=True,
        help_text=_("Placeholders filled from the registry: {name}, {id_number} (masked), {address}, {community}."),
    )
    within_duties = models.BooleanField(
        _("within the committee's own duties"),
        default=False,
        help_text=_("Closed by default (民发〔2020〕20号): nothing is issued until the office confirms this."),
    )
    retained = models.BooleanField(_("on the State Council's retained list"), default=False)
    notify_and_commit = models.BooleanField(
        _("notify and commit (告知承诺制)"),
        default=False,
        help_text=_(
            "The resident may sign a written commitment instead of bringing the evidence (国办发〔2020〕42号)."
        ),
    )
    commitment_text = models.TextField(_("text of the written commitment"), blank=True)
    public_interest = models.BooleanField(
        _("touches public interest"),
        default=False,
        help_text=_("Needs a linked deliberation record and the responsible person's sign-off before issuing."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("certificate type")
        verbose_name_plural = _("certificate types")

    def __str__(self) -> str:
        return self.item.name


class Channel(models.TextChoices):
    ONLINE = "online", _("Online, by the resident")
    COUNTER = "counter", _("At the counter")


class RequestState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ISSUED = "issued", _("Issued")
    REFUSED = "refused", _("Refused")
    REDIRECTED = "redirected", _("Redirected to the responsible body")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# States in which the community has answered: counted in the figures by the day of the answer.
DECIDED_STATES = (RequestState.ISSUED, RequestState.REFUSED, RequestState.REDIRECTED)


class CertificateRequest(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True)
    community = models.ForeignKey(
        "orgs.Org", verbose_name=_("community"), on_delete=models.PROTECT, related_name="certificate_requests"
    )
    item = models.ForeignKey(
        "catalog.WorkItem", verbose_name=_("certificate"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("applicant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificate_requests",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    purpose = models.CharField(_("what it is for, who asked for it"), max_length=200, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=RequestState.choices, default=RequestState.REQUESTED)
    requested_on = models.DateField(_("requested on"))
    due_on = models.DateField(_("answer due"), null=True, blank=True)
    decided_on = models.DateField(_("answered on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)
    # A redirect keeps what the resident was told, even if the list changes later.
    responsible_body = models.CharField(_("responsible body"), max_length=100, blank=True)
    rule = models.TextField(_("rule"), blank=True)
    evidence_checked = models.JSONField(_("evidence checked"), default=list, blank=True)
    deliberation = models.ForeignKey(
        "deliberations.Deliberation",
        verbose_name=_("deliberation record"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificate_requests",
    )
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-requested_on", "-pk"]
        verbose_name = _("certificate request")
        verbose_name_plural = _("certificate requests")
        indexes = [
            # The figures: answers per community and month.
            models.Index(fields=["community", "decided_on"], name="certreq_community_decided_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="requested") | Q(state="withdrawn") | Q(decided_on__isnull=False),
                name="certreq_answer_is_dated",
            ),
            models.CheckConstraint(
                condition=~Q(state="redirected") | ~Q(responsible_body=""), name="certreq_redirect_names_body"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def is_overdue(self, today) -> bool:
        return self.state == RequestState.REQUESTED and self.due_on is not None and today > self.due_on


class RequestEvent(History):
    """Append-only history of a request (what the resident follows); jianfu.core.workflow writes
    every move, the services the first row of a new request."""

    request = models.ForeignKey(CertificateRequest, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(_("from"), max_length=20, choices=RequestState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=RequestState.choices)

    class Meta(History.Meta):
        verbose_name = _("request event")
        verbose_name_plural = _("request events")

    def __str__(self) -> str:
        return f"{self.request} {self.action}"


class Certificate(models.Model):
    """An issued certificate: serial per community and year, a verification code, revocable."""

    request = models.OneToOneField(CertificateRequest, on_delete=models.PROTECT, related_name="certificate")
    serial = models.CharField(_("serial number"), max_length=40, unique=True)
    code = models.CharField(_("verification code"), max_length=12)
    community = models.ForeignKey("orgs.Org", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(
        "catalog.WorkItem", verbose_name=_("certificate"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "registry.Person", verbose_name=_("holder"), on_delete=models.PROTECT, related_name="certificates"
    )
    statement = models.TextField(_("wording"))
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    issued_on = models.DateField(_("issued on"))
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    by_commitment = models.BooleanField(_("issued on a written commitment"), default=False)
    commitment_text = models.TextField(_("commitment signed"), blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoke_reason = models.TextField(_("reason for revocation"), blank=True)
    false_commitment = models.BooleanField(_("the commitment was found false"), default=False)

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoke_reason=""), name="certificate_revocation_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(false_commitment=False) | Q(by_commitment=True, revoked_at__isnull=False),
                name="certificate_false_commitment_revokes",
            ),
        ]

    def __str__(self) -> str:
        return self.serial

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class SealUse(models.Model):
    """用印登记: one use of the community's seal, whoever used it and what it was put on."""

    community = models.ForeignKey(
        "orgs.Org", verbose_name=_("community"), on_delete=models.PROTECT, related_name="seal_uses"
    )
    used_on = models.DateField(_("used on"))
    used_at = models.DateTimeField()
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("used by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    document = models.CharField(_("document stamped"), max_length=200)
    certificate = models.OneToOneField(
        Certificate, null=True, blank=True, on_delete=models.PROTECT, related_name="seal_use"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoke_reason = models.TextField(_("reason for revocation"), blank=True)

    class Meta:
        ordering = ["-used_at", "-pk"]
        verbose_name = _("seal use")
        verbose_name_plural = _("seal log")
        indexes = [models.Index(fields=["community", "used_on"], name="sealuse_community_day_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoke_reason=""), name="sealuse_revocation_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.community} {self.used_on} {self.document}"


class Dishonesty(models.Model):
    """A serious dishonesty record (严重失信): the person may not use notify-and-commit while it is active."""

    person = models.ForeignKey(
        "registry.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="dishonesty_records"
    )
    source = models.CharField(_("source"), max_length=100)
    listed_on = models.DateField(_("listed on"))
    until = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-listed_on", "-pk"]
        verbose_name = _("serious dishonesty record")
        verbose_name_plural = _("serious dishonesty records")

    def __str__(self) -> str:
        return f"{self.person} · {self.source}"


class ResidentLink(models.Model):
    """Which registry person a resident's account is, confirmed by a worker who saw their ID card,
    so that the resident never types their name or ID number again."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="resident_link")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("resident account link")
        verbose_name_plural = _("resident account links")

    def __str__(self) -> str:
        return f"{self.user} → {self.person_id}"


class BaselineCount(models.Model):
    """Certificates a community issued in a month before the system (from the paper seal log), so
    the fall against a baseline year can be shown. ``item`` is empty for kinds no list holds."""

    community = models.ForeignKey("orgs.Org", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(
        "catalog.WorkItem",
        verbose_name=_("list item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    label = models.CharField(_("certificate as recorded"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    issued = models.PositiveIntegerField(_("issued"))

    class Meta:
        ordering = ["year", "month", "community", "label"]
        verbose_name = _("baseline count")
        verbose_name_plural = _("baseline counts")
        constraints = [
            models.UniqueConstraint(fields=["community", "label", "year", "month"], name="baseline_unique_cell"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="baseline_month_1_12"),
        ]

    def __str__(self) -> str:
        return f"{self.community} {self.year}-{self.month:02d} {self.label}: {self.issued}"
