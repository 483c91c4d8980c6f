"""Residents' deliberations (seed 004): hearings (社区听证会), forums (民情恳谈会), dialogues with
departments (社区对话) and consultations (居民议事协商). One record serves both uses: the community
publishes it on the portal, and a public-interest certificate rests on it (seed 000: 涉及公共利益的
证明须经议事协商)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy

from jianfu.core.models import History

MAX_PARTICIPANTS = 10_000


class DeliberationKind(models.TextChoices):
    HEARING = "hearing", pgettext_lazy("portal", "Residents' hearing (社区听证会)")
    FORUM = "forum", pgettext_lazy("portal", "Public opinion forum (民情恳谈会)")
    DIALOGUE = "dialogue", pgettext_lazy("portal", "Community dialogue (社区对话)")
    CONSULTATION = "consultation", pgettext_lazy("portal", "Residents' consultation (居民议事协商)")


class Deliberation(models.Model):
    """One meeting of residents on a community matter, what was decided and what was done after.
    Only published records (published_at set) are public."""

    kind = models.CharField(pgettext_lazy("portal", "kind of meeting"), max_length=16, choices=DeliberationKind.choices)
    community = models.ForeignKey(
        "orgs.Org",
        verbose_name=pgettext_lazy("portal", "community"),
        on_delete=models.PROTECT,
        related_name="deliberations",
    )
    held_on = models.DateField(pgettext_lazy("portal", "held on"))
    subject = models.CharField(pgettext_lazy("portal", "subject"), max_length=200)
    agenda = models.TextField(pgettext_lazy("portal", "agenda"))
    participants = models.PositiveIntegerField(
        pgettext_lazy("portal", "participants"),
        validators=[
            MinValueValidator(1, message=pgettext_lazy("portal", "At least one person took part.")),
            MaxValueValidator(
                MAX_PARTICIPANTS,
                message=pgettext_lazy("portal", "At most %(limit_value)s participants can be recorded."),
            ),
        ],
    )
    outcome = models.TextField(pgettext_lazy("portal", "outcome"))
    follow_up = models.TextField(
        pgettext_lazy("portal", "follow-up"),
        blank=True,
        help_text=pgettext_lazy("portal", "What was done afterwards, and by whom."),
    )
    follow_up_done = models.DateField(
        pgettext_lazy("portal", "follow-up completed on"),
        null=True,
        blank=True,
        help_text=pgettext_lazy("portal", "Empty while the follow-up is still under way."),
    )
    published_at = models.DateTimeField(pgettext_lazy("portal", "published"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("portal", "recorded by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(pgettext_lazy("portal", "recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = pgettext_lazy("portal", "deliberation record")
        verbose_name_plural = pgettext_lazy("portal", "deliberation records")
        constraints = [
            models.CheckConstraint(
                condition=Q(participants__gte=1),
                name="deliberation_participants",
                violation_error_message=pgettext_lazy("portal", "At least one person took part."),
            ),
            models.CheckConstraint(
                condition=Q(follow_up_done__isnull=True) | Q(follow_up_done__gte=models.F("held_on")),
                name="deliberation_follow_up_after",
                violation_error_message=pgettext_lazy(
                    "portal", "The follow-up cannot be completed before the meeting was held."
                ),
            ),
        ]
        indexes = [
            # The public lists: a district's or a community's published records, newest first.
            models.Index(fields=["community", "-held_on"], name="deliberation_community"),
            models.Index(fields=["published_at", "-held_on"], name="deliberation_published"),
        ]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.subject}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class DeliberationEvent(History):
    """Every publication and withdrawal of a record (jianfu.core.workflow writes it)."""

    deliberation = models.ForeignKey(Deliberation, on_delete=models.CASCADE, related_name="events")

    class Meta(History.Meta):
        verbose_name = pgettext_lazy("portal", "deliberation record event")
        verbose_name_plural = pgettext_lazy("portal", "deliberation record events")

    def __str__(self) -> str:
        return f"{self.deliberation_id}: {self.action}"
