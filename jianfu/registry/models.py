"""一标三实: standard addresses, and the actual houses, people and units on them, per grid.

The grid and community of a person are copied from their address (by the services that move
people), so that counts per grid, community and street are one indexed query on the org path.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from jianfu.core.crypto import EncryptedCharField
from jianfu.core.models import History


class Address(models.Model):
    grid = models.ForeignKey("orgs.Org", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="addresses")
    community = models.ForeignKey("orgs.Org", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    area = models.CharField(_("residential area or road"), max_length=100)
    building = models.CharField(_("building"), max_length=20, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    room = models.CharField(_("room"), max_length=20, blank=True)
    key = models.CharField(_("normalised key"), max_length=200)
    label = models.CharField(_("address"), max_length=200)

    class Meta:
        ordering = ["org_path", "key"]
        verbose_name = _("standard address")
        verbose_name_plural = _("standard addresses")
        constraints = [models.UniqueConstraint(fields=["community", "key"], name="address_unique_key")]

    def __str__(self) -> str:
        return self.label


class HouseUse(models.TextChoices):
    SELF = "self", _("Self-occupied")
    RENTED = "rented", _("Rented")
    VACANT = "vacant", _("Vacant")
    COMMERCIAL = "commercial", _("Commercial")


class House(models.Model):
    address = models.OneToOneField(Address, verbose_name=_("address"), on_delete=models.PROTECT, related_name="house")
    use = models.CharField(_("use"), max_length=16, choices=HouseUse.choices, default=HouseUse.SELF)
    area_m2 = models.DecimalField(_("floor area (m²)"), max_digits=8, decimal_places=1, null=True, blank=True)
    owner = models.ForeignKey(
        "Person", verbose_name=_("owner"), null=True, blank=True, on_delete=models.SET_NULL, related_name="houses_owned"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("house")
        verbose_name_plural = _("houses")

    def __str__(self) -> str:
        return str(self.address)


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Relation(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    GRANDCHILD = "grandchild", _("Grandchild")
    OTHER = "other", _("Other")


class Person(models.Model):
    """实有人口. ID number and phone are encrypted at rest; `id_index` allows dedup and lookup only."""

    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    id_number = EncryptedCharField(_("ID number"), blank=True)
    id_index = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    phone = EncryptedCharField(_("phone"), blank=True)
    address = models.ForeignKey(
        Address,
        verbose_name=_("actual address"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="residents",
    )
    grid = models.ForeignKey(
        "orgs.Org", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    community = models.ForeignKey(
        "orgs.Org", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    org_path = models.CharField(max_length=255, blank=True, db_index=True, editable=False)
    relation = models.CharField(
        _("relation to the household head"), max_length=16, choices=Relation.choices, default=Relation.HEAD
    )
    hukou_community = models.ForeignKey(
        "orgs.Org",
        verbose_name=_("household registration (community)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    hukou_address = models.CharField(_("household registration address"), max_length=200, blank=True)
    hukou_household = models.CharField(_("registered household number"), max_length=32, blank=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [
            # Counts per community/grid by age and sex: the derived figures.
            models.Index(fields=["org_path", "birth_date"], name="person_area_birth_idx"),
            models.Index(fields=["hukou_community", "hukou_household"], name="person_hukou_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def separated(self) -> bool:
        """人户分离: registered in one place, living in another — derived, never typed."""
        return self.hukou_community_id != self.community_id


class Tag(models.Model):
    """A label the office maintains (低保, 残疾人, 独居老人 …); each belongs to a department with an
    approved item, and only that department (and the office) reads who carries it."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=50)
    department = models.ForeignKey(
        "orgs.Org", verbose_name=_("department"), on_delete=models.PROTECT, related_name="registry_tags"
    )
    item = models.ForeignKey(
        "catalog.WorkItem",
        verbose_name=_("approved item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class PersonTag(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="tags")
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="people")
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "tag"], condition=Q(until__isnull=True), name="persontag_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.tag}"


class UnitKind(models.TextChoices):
    SHOP = "shop", _("Shop")
    COMPANY = "company", _("Company")
    ORGANISATION = "organisation", _("Social organisation")
    INSTITUTION = "institution", _("Public institution")
    OTHER = "other", _("Other")


class Unit(models.Model):
    """实有单位 at an address."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True, db_index=True)
    address = models.ForeignKey(Address, verbose_name=_("address"), on_delete=models.PROTECT, related_name="units")
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    contact = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = EncryptedCharField(_("contact phone"), blank=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name


class ExportState(models.TextChoices):
    REQUESTED = "requested", _("Awaiting the office")
    APPROVED = "approved", pgettext_lazy("registry export", "Approved")
    REJECTED = "rejected", pgettext_lazy("registry export", "Rejected")


class ExportRequest(models.Model):
    """Personal data leaves the system only with the office's approval, watermarked with who and when."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    requester = models.ForeignKey(
        "orgs.User", verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    org = models.ForeignKey("orgs.Org", verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    tag = models.ForeignKey(
        Tag, verbose_name=_("tag"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("purpose"))
    state = models.CharField(_("state"), max_length=16, choices=ExportState.choices, default=ExportState.REQUESTED)
    decided_by = models.ForeignKey("orgs.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("office note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("personal data export")
        verbose_name_plural = _("personal data exports")

    def __str__(self) -> str:
        return self.number


class ExportEvent(History):
    """Every decision on an export request (jianfu.core.workflow writes it)."""

    export = models.ForeignKey(ExportRequest, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(_("from"), max_length=20, blank=True, choices=ExportState.choices)
    to_state = models.CharField(_("to"), max_length=20, choices=ExportState.choices)

    class Meta(History.Meta):
        verbose_name = _("personal data export event")
        verbose_name_plural = _("personal data export events")

    def __str__(self) -> str:
        return f"{self.export_id}: {self.action}"
