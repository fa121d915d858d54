"""Criée events: the programme of pitches the lab builds from the correspondents' proposals,
and the interest each Caf declares in an initiative (one declaration per Caf)."""

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caflab.core.models import TimeStampedModel
from caflab.network.models import Caf, Theme
from criees.models.initiatives import Initiative

if TYPE_CHECKING:
    from caflab.accounts.models import User


class CrieeQuerySet(models.QuerySet["Criee"]):
    def visible_to(self, user: "User") -> "CrieeQuerySet":
        """Criées are the network's events: every network member sees them all."""
        if not (user.is_authenticated and user.is_network_member):
            return self.none()
        return self

    def upcoming(self) -> "CrieeQuerySet":
        return self.filter(
            status__in=[Criee.Status.PLANNED, Criee.Status.OPEN, Criee.Status.CLOSED]
        ).order_by("starts_at", "pk")

    def past(self) -> "CrieeQuerySet":
        return self.filter(status__in=[Criee.Status.HELD, Criee.Status.FOLLOWED_UP]).order_by(
            "-starts_at", "-pk"
        )


class Criee(TimeStampedModel):
    """A network event where selected initiatives are pitched in a few minutes each."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Prévue")
        OPEN = "open", _("Ouverte aux propositions")
        CLOSED = "closed", _("Programme arrêté")
        HELD = "held", _("Tenue")
        FOLLOWED_UP = "followed_up", _("Suivi réalisé")

    class Format(models.TextChoices):
        ONLINE = "online", _("En ligne")
        ONSITE = "onsite", _("Sur place")
        HYBRID = "hybrid", _("Sur place et en ligne")

    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("présentation"), blank=True)
    starts_at = models.DateTimeField(_("date et heure"))
    format = models.CharField(_("format"), max_length=10, choices=Format, default=Format.ONLINE)
    online_url = models.URLField(_("lien de connexion"), blank=True)
    place = models.CharField(_("lieu"), max_length=200, blank=True)
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="criees", verbose_name=_("thèmes")
    )
    status = models.CharField(
        _("statut"), max_length=12, choices=Status, default=Status.PLANNED, db_index=True
    )
    status_changed_at = models.DateTimeField(_("statut depuis"), default=timezone.now)
    current_pitch = models.ForeignKey(
        "Pitch",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("passage en cours"),
    )
    follow_up_summary = models.TextField(_("bilan et suites décidées"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créée par"),
    )

    objects = CrieeQuerySet.as_manager()

    class Meta:
        verbose_name = _("criée")
        verbose_name_plural = _("criées")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(format="onsite") | ~Q(online_url=""),
                name="criee_online_has_link",
                violation_error_message=_("Une criée en ligne doit avoir un lien de connexion."),
            ),
            models.CheckConstraint(
                condition=Q(format="online") | ~Q(place=""),
                name="criee_onsite_has_place",
                violation_error_message=_("Une criée sur place doit avoir un lieu."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("criees:criee", kwargs={"pk": self.pk})

    @property
    def next_status(self) -> str | None:
        order = self.Status.values
        index = order.index(self.status)
        return order[index + 1] if index + 1 < len(order) else None

    @property
    def next_status_label(self) -> str:
        return self.Status(self.next_status).label if self.next_status else ""

    @property
    def accepts_proposals(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def programme_is_editable(self) -> bool:
        """The lab builds the programme until the criée is held."""
        return self.status in (self.Status.PLANNED, self.Status.OPEN, self.Status.CLOSED)

    @property
    def is_online(self) -> bool:
        return self.format in (self.Format.ONLINE, self.Format.HYBRID)

    @property
    def is_onsite(self) -> bool:
        return self.format in (self.Format.ONSITE, self.Format.HYBRID)


class PitchQuerySet(models.QuerySet["Pitch"]):
    def scheduled(self) -> "PitchQuerySet":
        return self.filter(status=Pitch.Status.SCHEDULED).order_by("position", "pk")

    def proposed(self) -> "PitchQuerySet":
        return self.filter(status=Pitch.Status.PROPOSED).order_by("created_at", "pk")


class Pitch(TimeStampedModel):
    """An initiative proposed to a criée; once the lab schedules it, a slot of the programme."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposée")
        SCHEDULED = "scheduled", _("Au programme")
        DECLINED = "declined", _("Non retenue")

    class Decision(models.TextChoices):
        PROMOTE = "promote", _("Promotion au portefeuille (essaimage)")
        CONNECT = "connect", _("Mise en relation des Caf intéressées")
        WATCH = "watch", _("À suivre, à représenter plus tard")
        NONE = "none", _("Pas de suite")

    criee = models.ForeignKey(
        Criee, on_delete=models.PROTECT, related_name="pitches", verbose_name=_("criée")
    )
    initiative = models.ForeignKey(
        Initiative, on_delete=models.PROTECT, related_name="pitches", verbose_name=_("initiative")
    )
    status = models.CharField(_("statut"), max_length=10, choices=Status, default=Status.PROPOSED)
    position = models.PositiveSmallIntegerField(_("ordre de passage"), null=True, blank=True)
    slot_minutes = models.PositiveSmallIntegerField(
        _("durée du passage (minutes)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    presenters = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="pitches",
        verbose_name=_("présentateurs"),
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposée par"),
    )
    decision = models.CharField(_("décision du lab"), max_length=10, choices=Decision, blank=True)
    decision_note = models.TextField(_("précisions sur la décision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("décidée par"),
    )
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)

    objects = PitchQuerySet.as_manager()

    class Meta:
        verbose_name = _("passage en criée")
        verbose_name_plural = _("passages en criée")
        ordering = ["criee", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["criee", "initiative"], name="pitch_once_per_criee"),
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=1, slot_minutes__lte=60),
                name="pitch_slot_between_1_and_60",
            ),
            models.CheckConstraint(
                condition=~Q(status="scheduled") | Q(position__isnull=False),
                name="pitch_scheduled_has_position",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criee} – {self.initiative}"

    @property
    def is_scheduled(self) -> bool:
        return self.status == self.Status.SCHEDULED


class InterestLevel(models.TextChoices):
    # In increasing order of commitment.
    CURIOUS = "curious", _("Curieuse")
    CONTACT = "contact", _("Souhaite un contact")
    REPLICATE = "replicate", _("Veut la reprendre")


class InterestQuerySet(models.QuerySet["InterestDeclaration"]):
    def replicate(self) -> "InterestQuerySet":
        return self.filter(level=InterestLevel.REPLICATE)


class InterestDeclaration(TimeStampedModel):
    """ "We want to take it up": one declaration per Caf per initiative; declaring again
    updates it."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.PROTECT, related_name="interests", verbose_name=_("initiative")
    )
    caf = models.ForeignKey(
        Caf, on_delete=models.PROTECT, related_name="initiative_interests", verbose_name=_("Caf")
    )
    level = models.CharField(_("niveau d’intérêt"), max_length=10, choices=InterestLevel)
    contact_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("personne à contacter"),
    )
    comment = models.TextField(_("commentaire"), blank=True, max_length=2000)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("déclaré par"),
    )
    criee = models.ForeignKey(
        Criee,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interests",
        verbose_name=_("déclaré pendant la criée"),
    )

    objects = InterestQuerySet.as_manager()

    class Meta:
        verbose_name = _("déclaration d’intérêt")
        verbose_name_plural = _("déclarations d’intérêt")
        ordering = ["initiative", "caf__position"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "caf"], name="interest_one_per_caf")
        ]

    def __str__(self) -> str:
        return f"{self.caf} – {self.initiative}: {self.get_level_display()}"
