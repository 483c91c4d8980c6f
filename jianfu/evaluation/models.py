"""Two-way evaluation (双向评议): campaigns, their weighted indicators and targets, ballots, one-time
household codes, moderated comments, and the results frozen when the office releases them.

Anonymity of household ballots is a property of the schema, not of good manners:

* ``VotingCode`` holds a keyed hash of each one-time code, the community it was issued for and a
  ``used`` flag — no address, no household, no time.
* ``Ballot`` rows of households carry no code, household, person or time, and a random UUID key, so
  neither a column nor the key order joins a ballot back to a code row (``BallotScore`` and
  ``Comment`` likewise). The code is marked used in the transaction that writes the ballot.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jianfu.core.models import History


class Direction(models.TextChoices):
    DEPARTMENT = "department", _("Communities and streets rate departments")
    COMMUNITY = "community", _("Residents and resident units rate their community")
    WORKER = "worker", _("Residents rate community workers")
    STREET = "street", _("Communities rate their street or town")


RESIDENT_DIRECTIONS = {Direction.COMMUNITY, Direction.WORKER}
# Rated by organisations (communities and streets), not by households.
ORG_DIRECTIONS = {Direction.DEPARTMENT, Direction.STREET}


class Scale(models.TextChoices):
    FIVE = "five", _("Five levels, from very dissatisfied (1) to very satisfied (5)")
    HUNDRED = "hundred", _("Points from 0 to 100")


# The lowest and highest value a ballot may give; scores are mapped linearly onto 0–100.
SCALE_RANGE = {Scale.FIVE: (1, 5), Scale.HUNDRED: (0, 100)}
FIVE_LEVELS = [
    (5, _("Very satisfied")),
    (4, _("Satisfied")),
    (3, _("Fairly satisfied")),
    (2, _("Dissatisfied")),
    (1, _("Very dissatisfied")),
]


class CampaignState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for ballots")
    CLOSED = "closed", _("Closed")
    RELEASED = "released", _("Results released")


class Campaign(models.Model):
    district = models.ForeignKey("orgs.Org", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=100)
    direction = models.CharField(_("direction"), max_length=16, choices=Direction.choices)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    opens_on = models.DateField(_("ballots open on"))
    closes_on = models.DateField(_("ballots close after"))
    scale = models.CharField(_("rating scale"), max_length=8, choices=Scale.choices, default=Scale.FIVE)
    turnout_threshold = models.PositiveSmallIntegerField(
        _("valid from a turnout of (%)"),
        default=80,
        validators=[MaxValueValidator(100)],
        help_text=_("A result below this turnout is shown as not valid (通州: 80 % of households)."),
    )
    composite_numerator = models.PositiveSmallIntegerField(_("share of the year-end assessment: numerator"), default=1)
    composite_denominator = models.PositiveSmallIntegerField(
        _("share of the year-end assessment: denominator"), default=3
    )
    state = models.CharField(_("state"), max_length=16, choices=CampaignState.choices, default=CampaignState.DRAFT)
    # Part of the key that hashes this campaign's one-time codes: a code means nothing in another campaign.
    code_salt = models.CharField(max_length=32, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    released_on = models.DateField(_("released on"), null=True, blank=True)

    class Meta:
        ordering = ["-period_end", "-pk"]
        verbose_name = _("evaluation campaign")
        verbose_name_plural = _("evaluation campaigns")
        constraints = [
            models.CheckConstraint(condition=Q(period_start__lte=models.F("period_end")), name="campaign_period"),
            models.CheckConstraint(condition=Q(opens_on__lte=models.F("closes_on")), name="campaign_dates"),
            models.CheckConstraint(
                condition=Q(composite_numerator__gt=0) & Q(composite_numerator__lte=models.F("composite_denominator")),
                name="campaign_composite_share",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_resident(self) -> bool:
        return self.direction in RESIDENT_DIRECTIONS

    @property
    def scale_range(self) -> tuple[int, int]:
        return SCALE_RANGE[self.scale]

    @property
    def composite_share(self) -> str:
        return f"{self.composite_numerator}/{self.composite_denominator}"

    def accepts_ballots(self, today) -> bool:
        return self.state == CampaignState.OPEN and self.opens_on <= today <= self.closes_on


class CampaignTransition(History):
    """Append-only: every state change of a campaign, who, why, when (jianfu.core.workflow writes it)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(_("from"), max_length=20, blank=True, choices=CampaignState.choices)
    to_state = models.CharField(_("to"), max_length=20, choices=CampaignState.choices)

    class Meta(History.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.from_state} → {self.to_state}"


class Indicator(models.Model):
    """One weighted line of a campaign: an opinion the evaluators give, or an objective figure
    (``source`` names a function of jianfu.evaluation.indicators). Weights are percentages summing to 100."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="indicators")
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("indicator"), max_length=60)
    description = models.CharField(_("what is rated"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=40, blank=True, help_text=_("Empty: the evaluators' opinion."))
    weight = models.PositiveSmallIntegerField(
        _("weight (%)"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["campaign", "position"], name="indicator_unique_position")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_opinion(self) -> bool:
        return not self.source

    @property
    def source_label(self) -> str:
        from .indicators import label

        return label(self.source) if self.source else ""

    @property
    def source_description(self) -> str:
        from .indicators import get

        spec = get(self.source)
        return str(spec.description) if spec else ""


class Target(models.Model):
    """Who is rated in a campaign: a department, a community, or a community worker (``worker``,
    with ``org`` their community)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    org = models.ForeignKey("orgs.Org", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+")
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["org__path", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "org"], condition=Q(worker__isnull=True), name="target_unique_org"
            ),
            models.UniqueConstraint(
                fields=["campaign", "worker"], condition=Q(worker__isnull=False), name="target_unique_worker"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class VoterKind(models.TextChoices):
    ORG = "org", _("Community or street")
    HOUSEHOLD = "household", _("Household")
    UNIT = "unit", _("Resident unit")


class VotingCode(models.Model):
    """A one-time code handed to one household (or resident unit). Only its keyed hash is stored,
    with the community and whether it was used: nothing says which household holds it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="codes")
    community = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=VoterKind.choices, default=VoterKind.HOUSEHOLD)
    code_hash = models.CharField(max_length=64)
    used = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "code_hash"], name="votingcode_unique_hash"),
            models.CheckConstraint(condition=~Q(kind="org"), name="votingcode_not_org"),
        ]
        indexes = [
            # Turnout: codes issued and used per community of a campaign.
            models.Index(fields=["campaign", "community", "used"], name="votingcode_turnout_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.community_id}"


class Ballot(models.Model):
    """One evaluator's rating of one target. Organisations (``evaluator``) rate each target once and
    may change it until the campaign closes; a household's ballot has no evaluator and nothing else
    that identifies who cast it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="ballots")
    voter_kind = models.CharField(max_length=16, choices=VoterKind.choices)
    evaluator = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["target", "evaluator"], condition=Q(evaluator__isnull=False), name="ballot_once_per_evaluator"
            ),
            models.CheckConstraint(
                condition=(Q(voter_kind="org") & Q(evaluator__isnull=False))
                | (~Q(voter_kind="org") & Q(evaluator__isnull=True)),
                name="ballot_evaluator_only_for_orgs",
            ),
        ]
        indexes = [models.Index(fields=["target", "voter_kind"], name="ballot_target_idx")]

    def __str__(self) -> str:
        return str(self.pk)


class BallotScore(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="scores")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ballot", "indicator"], name="ballotscore_unique")]

    def __str__(self) -> str:
        return f"{self.indicator_id}={self.value}"


class CommentState(models.TextChoices):
    PENDING = "pending", _("Awaiting moderation")
    APPROVED = "approved", _("Shown to the target")
    REJECTED = "rejected", _("Not shown")


class Comment(models.Model):
    """A remark on a target, shown to it only once the office approved it. An organisation's comment
    keeps its evaluator (the office sees it, the target never does); a household's has none."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="comments")
    evaluator = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"), max_length=500)
    state = models.CharField(_("state"), max_length=16, choices=CommentState.choices, default=CommentState.PENDING)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    moderated_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        constraints = [
            models.UniqueConstraint(
                fields=["target", "evaluator"], condition=Q(evaluator__isnull=False), name="comment_once_per_evaluator"
            )
        ]

    def __str__(self) -> str:
        return self.text[:30]


class CommentEvent(History):
    """Every moderation of a comment, and its return to moderation when its evaluator changes it
    (jianfu.core.workflow writes it). A household comment's events follow it when the campaign's
    household rows are written again at the close: they say when the office read it, never who wrote it."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(_("from"), max_length=20, blank=True, choices=CommentState.choices)
    to_state = models.CharField(_("to"), max_length=20, choices=CommentState.choices)

    class Meta(History.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.comment_id}: {self.action}"


class YearEndScore(models.Model):
    """The rest of a department's year-end assessment, which the communities' rating joins with its share."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="year_end_scores")
    department = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(
        _("other assessment score"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "department"], name="yearend_unique")]

    def __str__(self) -> str:
        return f"{self.department_id}: {self.score}"


class Result(models.Model):
    """A target's result, frozen when the office releases the campaign: what the public and the target see."""

    target = models.OneToOneField(Target, on_delete=models.CASCADE, related_name="result")
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    breakdown = models.JSONField(default=list)  # [{"indicator": id, "score": "87.50" | null}]
    ballots = models.PositiveIntegerField(default=0)
    eligible = models.PositiveIntegerField(default=0)  # households issued a code, or evaluator organisations
    voted = models.PositiveIntegerField(default=0)  # of those, how many voted
    turnout = models.DecimalField(max_digits=5, decimal_places=2, null=True)  # percent
    valid = models.BooleanField(default=False)
    rank = models.PositiveIntegerField(null=True)
    other_score = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    composite = models.DecimalField(max_digits=5, decimal_places=2, null=True)

    def __str__(self) -> str:
        return f"{self.target}: {self.score}"
