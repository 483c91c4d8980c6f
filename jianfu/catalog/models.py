import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jianfu.core import clock
from jianfu.core.models import History

if TYPE_CHECKING:
    from jianfu.orgs.models import Org


class ItemKind(models.TextChoices):
    TASK = "task", _("Work task")
    LEDGER = "ledger", _("Ledger / report")
    SURVEY = "survey", _("Census / survey")
    CAMPAIGN = "campaign", _("Creation / evaluation campaign")
    INSPECTION = "inspection", _("Assessment / inspection")
    BODY = "body", _("Work body / plaque")
    PLATFORM = "platform", _("Information platform / app")
    CERTIFICATE = "certificate", _("Stamped certificate")
    MEETING = "meeting", _("Meeting")


class Category(models.TextChoices):
    DUTY = "duty", _("Lawful duty (undertaken)")
    ASSIST = "assist", _("Assisting the government")
    CERTIFICATE = "certificate", _("Certificate the community may issue")
    NEGATIVE = "negative", _("Negative list: must not enter")
    CANCELLED = "cancelled", _("Cancelled")


# Categories whose items may enter a community once approved and in force.
ENTERING = (Category.DUTY, Category.ASSIST, Category.CERTIFICATE)


class Frequency(models.TextChoices):
    ONCE = "once", _("Once")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Half-yearly")
    YEARLY = "yearly", _("Yearly")
    AS_NEEDED = "as_needed", _("As needed")


class BasisLevel(models.TextChoices):
    """Who asks for a campaign or an inspection: only these levels may (seed 001)."""

    CENTRAL = "central", _("Central")
    PROVINCIAL = "provincial", _("Provincial")
    MUNICIPAL = "municipal", _("Municipal")


# Kinds of work that enter a community only at a higher level's explicit request (seed 001:
# 「除中央和市委市政府有明确要求外，其他一律取消」).
NEEDS_HIGHER_BASIS = (ItemKind.CAMPAIGN, ItemKind.INSPECTION)


def higher_basis_refusal(*, kind: str, category: str, level: str, document: str) -> str:
    """Why a creation/evaluation campaign or an assessment/inspection may not enter ("" if it may):
    the one rule, asked by the access workflow (submission, approval) and by the list import."""
    if kind not in NEEDS_HIGHER_BASIS or category not in ENTERING:
        return ""
    if level in BasisLevel.values and document.strip():
        return ""
    return str(
        _(
            "A creation or evaluation campaign, an assessment or an inspection enters communities only at "
            "the explicit request of the central, provincial or municipal level: record the level and the "
            "document (title and number). Beijing's rule for community work: "
            "“除中央和市委市政府有明确要求外，其他一律取消”."
        )
    )


OCCURRENCES_PER_YEAR = {
    Frequency.ONCE: Decimal(1),
    Frequency.WEEKLY: Decimal(52),
    Frequency.MONTHLY: Decimal(12),
    Frequency.QUARTERLY: Decimal(4),
    Frequency.HALF_YEARLY: Decimal(2),
    Frequency.YEARLY: Decimal(1),
}


class WorkFields(models.Model):
    """What a piece of work asks of a community: shared by catalog items and access applications."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("what the community does"), blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=ItemKind.choices)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    legal_basis = models.TextField(_("legal basis (law, regulation or rule and article)"), blank=True)
    funding_yuan = models.PositiveIntegerField(_("funding per community per year (yuan)"), default=0)
    funding_channel = models.CharField(_("funding channel"), max_length=100, blank=True)
    frequency = models.CharField(_("frequency"), max_length=16, choices=Frequency.choices, default=Frequency.YEARLY)
    occurrences_per_year = models.DecimalField(
        _("occurrences per year (when as needed)"), max_digits=7, decimal_places=2, default=Decimal(0)
    )
    hours_per_occurrence = models.DecimalField(
        _("worker-hours per occurrence per community"), max_digits=7, decimal_places=2, default=Decimal(0)
    )
    scope_streets = models.ManyToManyField(
        "orgs.Org", verbose_name=_("only in these streets/towns (empty: all)"), blank=True, related_name="+"
    )
    scope_community_types = models.JSONField(_("only these community types (empty: all)"), default=list, blank=True)
    temporary = models.BooleanField(_("temporary item"), default=False)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    # Campaigns and inspections only (NEEDS_HIGHER_BASIS). The database defaults serve rows written
    # in bulk with explicit columns (the scale generator).
    basis_level = models.CharField(
        _("level of the higher basis"),
        max_length=16,
        choices=BasisLevel.choices,
        blank=True,
        default="",
        db_default="",
        help_text=_("Creation/evaluation campaigns and assessments/inspections only: the level that requires it."),
    )
    basis_document = models.CharField(
        _("higher document (title and number)"),
        max_length=200,
        blank=True,
        default="",
        db_default="",
        help_text=_("Creation/evaluation campaigns and assessments/inspections only: the document's title and number."),
    )

    class Meta:
        abstract = True

    def yearly_occurrences(self) -> Decimal:
        if self.frequency == Frequency.AS_NEEDED:
            return self.occurrences_per_year
        return OCCURRENCES_PER_YEAR[self.frequency]

    def hours_per_month(self) -> Decimal:
        return (self.hours_per_occurrence * self.yearly_occurrences() / 12).quantize(Decimal("0.01"))

    def higher_basis_refusal(self) -> str:
        return higher_basis_refusal(
            kind=self.kind, category=self.category, level=self.basis_level, document=self.basis_document
        )

    def applies_to(self, community, street_ids: set[int]) -> bool:
        """Whether the scope covers a community (street_ids: this item's scope streets, prefetched)."""
        if street_ids and community.parent_id not in street_ids:
            return False
        return not self.scope_community_types or community.community_type in self.scope_community_types


# WorkFields' own fields (scope_streets, a many-to-many, is copied separately).
WORK_FIELD_NAMES = [
    "name",
    "description",
    "kind",
    "category",
    "legal_basis",
    "funding_yuan",
    "funding_channel",
    "frequency",
    "occurrences_per_year",
    "hours_per_occurrence",
    "scope_community_types",
    "temporary",
    "valid_until",
    "basis_level",
    "basis_document",
]


class WorkItem(WorkFields):
    """The catalog's unit: a kind of work a department may (or must not) push into communities."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    department = models.ForeignKey(
        "orgs.Org", verbose_name=_("department"), on_delete=models.PROTECT, related_name="work_items"
    )
    year = models.PositiveSmallIntegerField(_("year in force"))
    responsible_body = models.CharField(_("responsible body (negative list)"), max_length=100, blank=True)
    evidence = models.JSONField(_("what the resident brings"), default=list, blank=True)
    guide = models.JSONField(_("guide"), default=dict, blank=True)
    days_to_issue = models.PositiveSmallIntegerField(_("working days to issue"), default=0)
    # From its application's planned start: an item approved mid-year counts from that day, not January.
    starts_on = models.DateField(_("in force from"), null=True, blank=True)
    # Cancelled or revoked by the office during the year: in force until the day before `cancelled_on`.
    # Who does the work from then on is `responsible_body`.
    cancelled_on = models.DateField(_("cancelled with effect from"), null=True, blank=True)
    cancellation_reason = models.TextField(_("reason for cancellation"), blank=True, db_default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("work item")
        verbose_name_plural = _("work items")
        constraints = [
            models.CheckConstraint(
                condition=~Q(category="assist") | Q(funding_yuan__gt=0), name="workitem_assist_is_funded"
            ),
            models.CheckConstraint(
                condition=Q(temporary=False) | Q(valid_until__isnull=False), name="workitem_temporary_expires"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        # Whoever creates or edits an item in force (an approval, the list import, the admin, the demo):
        # a campaign or inspection without a higher basis is no item.
        refusal = self.higher_basis_refusal()
        if refusal:
            raise ValidationError({"basis_level": refusal})

    @property
    def issuing_body(self) -> str:
        """Who a resident goes to for what the community must not issue: the list's 责任主体, else
        (lists loaded before it was required) the item's department."""
        return self.responsible_body or self.department.name

    @staticmethod
    def in_force_q(on: dt.date) -> Q:
        return (
            Q(category__in=ENTERING, year=on.year)
            & (Q(valid_until__isnull=True) | Q(valid_until__gte=on))
            & (Q(starts_on__isnull=True) | Q(starts_on__lte=on))
            & (Q(cancelled_on__isnull=True) | Q(cancelled_on__gt=on))
            & WorkItem.with_higher_basis_q()
        )

    @staticmethod
    def with_higher_basis_q() -> Q:
        """`higher_basis_refusal` as a query: a campaign or inspection stands only with its basis."""
        return ~Q(kind__in=NEEDS_HIGHER_BASIS) | (Q(basis_level__in=BasisLevel.values) & ~Q(basis_document=""))

    def is_in_force(self, on: dt.date) -> bool:
        return (
            self.category in ENTERING
            and self.year == on.year
            and (self.valid_until is None or self.valid_until >= on)
            and (self.starts_on is None or self.starts_on <= on)
            and not self.is_cancelled(on)
            and not self.higher_basis_refusal()
        )

    def is_cancelled(self, on: dt.date) -> bool:
        return self.cancelled_on is not None and self.cancelled_on <= on

    def counts_in_month(self, year: int, month: int) -> bool:
        """Whether the burden figures count the item in this month of its year: from its start date's
        month (an item approved mid-year does not count from January) to the last month it stands
        in (a cancellation on the 1st stops it in the month before)."""
        if year != self.year:
            return False
        first = dt.date(year, month, 1)
        if self.starts_on is not None and (self.starts_on.year, self.starts_on.month) > (year, month):
            return False
        return self.cancelled_on is None or self.cancelled_on > first

    def months_counted(self, year: int) -> int:
        return sum(self.counts_in_month(year, month) for month in range(1, 13))


class ItemEvent(History):
    """The history of an item's moves after it entered the catalog (its cancellation)."""

    item = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="events")

    class Meta(History.Meta):
        verbose_name = _("item event")


class ItemList(models.Model):
    """One of the office's lists (清单): lawful duties, assistance, certificates, negative list."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)

    class Meta:
        ordering = ["id"]
        verbose_name = _("list")
        verbose_name_plural = _("lists")

    def __str__(self) -> str:
        return self.name

    def current_version(self, district: "Org", on: dt.date | None = None) -> "ListVersion | None":
        """The district's version in force on `on` (today): the latest published that has taken effect."""
        return ListVersion.in_force(district, on).filter(item_list=self).first()

    def latest_published(self, district: "Org") -> "ListVersion | None":
        """The district's newest published version, in force or still to take effect (a new draft's base)."""
        return self.versions.filter(district=district, published_at__isnull=False).order_by("-number").first()

    def draft(self, district: "Org") -> "ListVersion | None":
        return self.versions.filter(district=district, published_at__isnull=True).first()


class ListVersion(models.Model):
    """One version of a district's list: a draft collecting approvals until the office publishes it,
    citing the joint meeting (联席会议) that decided it, in force from its effective date."""

    item_list = models.ForeignKey(ItemList, on_delete=models.PROTECT, related_name="versions")
    district = models.ForeignKey("orgs.Org", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(_("version"))
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    effective_on = models.DateField(_("in force from"), null=True, blank=True)
    meeting_date = models.DateField(_("date of the joint meeting"), null=True, blank=True)
    # Database defaults: the scale generator writes versions in bulk with explicit columns.
    meeting_decision = models.CharField(
        _("decision of the joint meeting (number)"), max_length=200, blank=True, db_default=""
    )
    meeting_minutes = models.TextField(_("minutes of the joint meeting"), blank=True, db_default="")
    meeting_file = models.FileField(_("minutes (file)"), upload_to="lists/minutes/%Y/", blank=True, db_default="")
    items = models.ManyToManyField(WorkItem, through="ListEntry", related_name="list_versions")

    class Meta:
        ordering = ["item_list", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["item_list", "district", "number"], name="listversion_unique_number"),
            # One draft per list and district: approvals collect in it until it is published.
            models.UniqueConstraint(
                fields=["item_list", "district"], condition=Q(published_at__isnull=True), name="listversion_one_draft"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_list} v{self.number}"

    @staticmethod
    def in_force(district: "Org", on: dt.date | None = None):
        """The district's published versions in force on `on` (today), the one in force first: the
        newest published that has taken effect (an imported version is in force from its publication,
        `effective_on` empty; a version the office publishes from a joint meeting from its date)."""
        on = on or clock.today()
        return (
            ListVersion.objects.filter(district=district, published_at__isnull=False)
            .filter(Q(effective_on__isnull=True) | Q(effective_on__lte=on))
            .select_related("item_list")
            .order_by("-number")
        )


class ListVersionEvent(History):
    version = models.ForeignKey(ListVersion, on_delete=models.CASCADE, related_name="events")

    class Meta(History.Meta):
        verbose_name = _("list version event")


class ListEntry(models.Model):
    version = models.ForeignKey(ListVersion, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey(WorkItem, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["version", "item"], name="listentry_unique_item")]

    def __str__(self) -> str:
        return f"{self.version} #{self.position}"


class CatalogVersion(models.Model):
    """《部门工作进社区指导目录》 for one year, frozen when published: entries are copies, not links."""

    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("version"))
    published_at = models.DateTimeField(_("published"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-year", "-number"]
        constraints = [models.UniqueConstraint(fields=["district", "year", "number"], name="catalog_unique_version")]

    def __str__(self) -> str:
        return f"{self.year} v{self.number}"


class CatalogEntry(models.Model):
    version = models.ForeignKey(CatalogVersion, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey(WorkItem, null=True, on_delete=models.SET_NULL, related_name="+")
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=ItemKind.choices)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    department_code = models.CharField(max_length=32)
    department = models.CharField(_("department"), max_length=100)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    funding_yuan = models.PositiveIntegerField(_("funding (yuan per year)"), default=0)
    funding_channel = models.CharField(_("funding channel"), max_length=100, blank=True)
    frequency = models.CharField(_("frequency"), max_length=16, choices=Frequency.choices)
    hours_per_month = models.DecimalField(_("hours per month"), max_digits=8, decimal_places=2)
    temporary = models.BooleanField(_("temporary"), default=False)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    scope = models.CharField(_("scope"), max_length=200, blank=True)
    # Database defaults: the scale generator writes entries in bulk with explicit columns.
    basis_level = models.CharField(
        _("level of the higher basis"), max_length=16, choices=BasisLevel.choices, blank=True, db_default=""
    )
    basis_document = models.CharField(
        _("higher document (title and number)"), max_length=200, blank=True, db_default=""
    )

    class Meta:
        ordering = ["department_code", "kind", "code"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="catalogentry_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def basis(self) -> str:
        """The legal basis as published, with the higher level's request of a campaign or inspection."""
        if not self.basis_level:
            return self.legal_basis
        higher = _("required by the %(level)s level: %(document)s") % {
            "level": self.get_basis_level_display(),
            "document": self.basis_document,
        }
        return f"{self.legal_basis}（{higher}）" if self.legal_basis else higher

    # Fields compared by the diff between two versions.
    COMPARED = [
        "name",
        "kind",
        "category",
        "department",
        "legal_basis",
        "funding_yuan",
        "frequency",
        "hours_per_month",
        "temporary",
        "valid_until",
        "scope",
        "basis_level",
        "basis_document",
    ]


class PlaqueKind(models.TextChoices):
    """What goes up in a community (seeds 001 and 003: 挂牌、上墙资料、上墙制度), each on an approved body item."""

    PLAQUE = "plaque", _("Work body / plaque")
    WALL = "wall", _("Wall-posted material")
    RULE = "rule", _("Wall-posted rules")


class Plaque(models.Model):
    """A work body, mechanism or plaque hung in a community, or material or rules posted on its wall;
    each must rest on an approved item."""

    kind = models.CharField(_("kind"), max_length=8, choices=PlaqueKind.choices, default=PlaqueKind.PLAQUE)
    community = models.ForeignKey(
        "orgs.Org", verbose_name=_("community"), on_delete=models.PROTECT, related_name="plaques"
    )
    name = models.CharField(_("name"), max_length=100)
    department = models.ForeignKey("orgs.Org", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(
        WorkItem,
        verbose_name=_("approved item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plaques",
    )
    hung_on = models.DateField(_("hung on"))
    removed_on = models.DateField(_("removed on"), null=True, blank=True)
    removal_reason = models.CharField(_("reason for removal"), max_length=200, blank=True)

    class Meta:
        ordering = ["community", "name"]
        verbose_name = _("work body / plaque")
        verbose_name_plural = _("work bodies / plaques")

    def __str__(self) -> str:
        return f"{self.community} · {self.name}"
