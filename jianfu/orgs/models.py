import hashlib
import math
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who signs in. What they may do follows from their memberships, never from flags."""

    display_name = models.CharField(_("name"), max_length=50, blank=True)

    def __str__(self) -> str:
        return self.display_name or self.username


class OrgKind(models.TextChoices):
    DISTRICT = "district", _("District / county-level city")
    STREET = "street", _("Street (subdistrict)")
    TOWN = "town", _("Town")
    COMMUNITY = "community", _("Community")
    GRID = "grid", _("Grid")
    DEPARTMENT = "department", _("Department")
    GROUP_ORG = "group_org", _("Mass organisation")


REGION_KINDS = {OrgKind.DISTRICT, OrgKind.STREET, OrgKind.TOWN, OrgKind.COMMUNITY, OrgKind.GRID}
DEPARTMENT_KINDS = {OrgKind.DEPARTMENT, OrgKind.GROUP_ORG}

# Which kind of organisation may sit directly under which.
ALLOWED_PARENT_KINDS: dict[str, set[str]] = {
    OrgKind.DISTRICT: set(),
    OrgKind.STREET: {OrgKind.DISTRICT},
    OrgKind.TOWN: {OrgKind.DISTRICT},
    OrgKind.COMMUNITY: {OrgKind.STREET, OrgKind.TOWN},
    OrgKind.GRID: {OrgKind.COMMUNITY},
    OrgKind.DEPARTMENT: {OrgKind.DISTRICT},
    OrgKind.GROUP_ORG: {OrgKind.DISTRICT},
}


class CommunityType(models.TextChoices):
    """Housing types (seed 001, 北京)."""

    BUNGALOW = "bungalow", _("Bungalow area")
    COMMERCIAL = "commercial", _("Commercial housing")
    RESETTLEMENT = "resettlement", _("Resettlement housing")
    AFFORDABLE = "affordable", _("Affordable housing")


class Org(models.Model):
    """One node of the organisation tree: a region (区 → 街道/镇 → 社区 → 网格) or a department.

    `path` is a materialised path of primary keys ("/1/7/42/"): "everything under X" is one
    indexed prefix query, which is how every permission reaches down the tree.
    """

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=OrgKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)

    registered_households = models.PositiveIntegerField(_("registered households"), default=0)
    resident_households = models.PositiveIntegerField(_("resident households"), default=0)
    population = models.PositiveIntegerField(_("population"), default=0)
    office_space_m2 = models.DecimalField(
        _("office and activity space (m²)"), max_digits=10, decimal_places=1, default=Decimal("0")
    )
    staff_count = models.PositiveIntegerField(_("full-time staff"), default=0)
    community_type = models.CharField(_("community type"), max_length=16, choices=CommunityType.choices, blank=True)
    is_member_unit = models.BooleanField(
        _("member unit of the leading group"),
        default=False,
        help_text=_("Member units (纪委, 编办, 民政局, 财政局 …) review access applications."),
    )

    class Meta:
        ordering = ["path"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(parent__isnull=False) | models.Q(kind="district"), name="org_only_district_is_root"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_region(self) -> bool:
        return self.kind in REGION_KINDS

    @property
    def district_id(self) -> int:
        """The root of the org's tree (its district), read from the materialised path."""
        return int(self.path.strip("/").split("/")[0])

    def is_within(self, ancestor: "Org") -> bool:
        return self.path.startswith(ancestor.path)

    @property
    def standard_households(self) -> int:
        """The households the standards judge on: registered or living here, whichever is more.
        Seed 002 (人户分离): 旦苑 has 438 registered but 2 260 living there, 古塘 2 800 registered but
        about 1 500 living there; either way the community serves the larger number."""
        return max(self.registered_households, self.resident_households)

    def space_required_m2(self) -> Decimal:
        per_100 = settings.JIANFU["SPACE_M2_PER_100_HOUSEHOLDS"]
        return (Decimal(self.standard_households) * per_100 / 100).quantize(Decimal("0.1"))

    def space_shortfall_m2(self) -> Decimal:
        return max(Decimal("0"), self.space_required_m2() - self.office_space_m2)

    def staff_required(self) -> int:
        return math.ceil(self.standard_households / settings.JIANFU["HOUSEHOLDS_PER_WORKER"])

    def staff_shortfall(self) -> int:
        return max(0, self.staff_required() - self.staff_count)


class Role(models.TextChoices):
    OFFICE = "office", _("Access office staff")
    REVIEWER = "reviewer", _("Member-unit reviewer")
    CLERK = "clerk", _("Department clerk")
    STREET = "street", _("Street worker")
    COMMUNITY = "community", _("Community worker")
    GRID = "grid", _("Grid worker")
    RESIDENT = "resident", _("Resident")


# Where each role may be held. The office governs a whole district, so its staff hold the
# role in the district itself and reach everything under it.
ROLE_ORG_KINDS: dict[str, set[str]] = {
    Role.OFFICE: {OrgKind.DISTRICT},
    Role.REVIEWER: DEPARTMENT_KINDS,
    Role.CLERK: DEPARTMENT_KINDS,
    Role.STREET: {OrgKind.STREET, OrgKind.TOWN},
    Role.COMMUNITY: {OrgKind.COMMUNITY},
    Role.GRID: {OrgKind.GRID},
    Role.RESIDENT: {OrgKind.COMMUNITY},
}


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    org = models.ForeignKey(Org, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "org", "role"], name="membership_unique_role")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.org}"


class ApiToken(models.Model):
    """A bearer token for API clients. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} · {self.name or self.pk}"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def user_for(cls, key: str):
        token = cls.objects.select_related("user").filter(key_hash=cls.hash_key(key)).first()
        return token.user if token and token.user.is_active else None
