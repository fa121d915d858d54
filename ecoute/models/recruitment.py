"""Recruiting participants for a workshop or a user test session attached to a consultation.

A recruitment has seats, a registration window and a few eligibility questions (each with its
possible and accepted answers). The eligibility answers are checked and never stored: only
"eligible" matters, so nothing about the person's situation is kept.

A registration is a person with an account, or a visitor giving a name, an e-mail and possibly a
phone: the least we need to confirm, promote and remind them. Those fields are blanked at the
consultation's retention time (`registrations_purge`). One live registration per person and
recruitment (database constraints); seats are handed out under a row lock on the recruitment,
so parallel registrations never overbook.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caflab.core.models import TimeStampedModel


class RecruitmentQuerySet(models.QuerySet["Recruitment"]):
    def visible_to(self, user) -> "RecruitmentQuerySet":
        """Readable with their consultation (hidden consultation → hidden recruitment)."""
        from ecoute.models.consultations import Consultation

        return self.filter(
            consultation__in=Consultation.objects.visible_to(user).exclude(
                status=Consultation.Status.DRAFT
            )
        )

    def managed_by(self, user) -> "RecruitmentQuerySet":
        from ecoute.models.consultations import Consultation

        return self.filter(consultation__in=Consultation.objects.managed_by(user))

    def with_counts(self) -> "RecruitmentQuerySet":
        live = Registration.Status
        return self.annotate(
            n_confirmed=models.Count(
                "registrations", filter=Q(registrations__status=live.CONFIRMED)
            ),
            n_waiting=models.Count("registrations", filter=Q(registrations__status=live.WAITING)),
        )


class Recruitment(TimeStampedModel):
    class Kind(models.TextChoices):
        WORKSHOP = "workshop", _("Atelier")
        USER_TEST = "user_test", _("Session de test utilisateur")

    consultation = models.ForeignKey(
        "ecoute.Consultation",
        on_delete=models.CASCADE,
        related_name="recruitments",
        verbose_name=_("consultation"),
    )
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("description"))
    kind = models.CharField(_("type"), max_length=10, choices=Kind, default=Kind.WORKSHOP)
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    place = models.CharField(
        _("lieu"), max_length=300, blank=True, help_text=_("Adresse, ou vide pour une visio.")
    )
    video_link = models.URLField(_("lien de visioconférence"), blank=True)
    seats = models.PositiveSmallIntegerField(_("places"), validators=[MinValueValidator(1)])
    registration_opens_at = models.DateTimeField(_("ouverture des inscriptions"))
    registration_closes_at = models.DateTimeField(_("clôture des inscriptions"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("créé par"),
    )

    objects = RecruitmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("recrutement de participants")
        verbose_name_plural = _("recrutements de participants")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="recruitment_ends_after_it_starts",
                violation_error_message=_("La fin doit suivre le début."),
            ),
            models.CheckConstraint(
                condition=Q(registration_closes_at__gt=models.F("registration_opens_at")),
                name="recruitment_registration_window",
                violation_error_message=_(
                    "La clôture des inscriptions doit suivre leur ouverture."
                ),
            ),
            models.CheckConstraint(condition=Q(seats__gte=1), name="recruitment_has_seats"),
            models.CheckConstraint(
                condition=~Q(place="") | ~Q(video_link=""),
                name="recruitment_has_place_or_link",
                violation_error_message=_("Indiquez un lieu ou un lien de visioconférence."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("ecoute:recruitment", kwargs={"pk": self.pk})

    def get_manage_url(self) -> str:
        return reverse("ecoute:recruitment-manage", kwargs={"pk": self.pk})

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("La fin doit suivre le début.")
        if (
            self.registration_opens_at
            and self.registration_closes_at
            and self.registration_closes_at <= self.registration_opens_at
        ):
            errors["registration_closes_at"] = _(
                "La clôture des inscriptions doit suivre leur ouverture."
            )
        if not (self.place or self.video_link):
            errors["place"] = _("Indiquez un lieu ou un lien de visioconférence.")
        if errors:
            raise ValidationError(errors)

    def is_registration_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.registration_opens_at <= now < self.registration_closes_at


class EligibilityQuestion(models.Model):
    """A yes/no or choice question; a person is eligible when every answer is accepted."""

    recruitment = models.ForeignKey(
        Recruitment,
        on_delete=models.CASCADE,
        related_name="eligibility_questions",
        verbose_name=_("recrutement"),
    )
    label = models.CharField(_("question"), max_length=300)
    choices = models.JSONField(_("réponses possibles"), default=list)
    accepted = models.JSONField(_("réponses acceptées"), default=list)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("question d’éligibilité")
        verbose_name_plural = _("questions d’éligibilité")
        ordering = ["recruitment", "position", "pk"]

    def __str__(self) -> str:
        return self.label

    def accepts(self, answer: str) -> bool:
        return answer in self.accepted


class RegistrationQuerySet(models.QuerySet["Registration"]):
    def live(self) -> "RegistrationQuerySet":
        return self.exclude(status=Registration.Status.CANCELLED)

    def waiting_order(self) -> "RegistrationQuerySet":
        return self.filter(status=Registration.Status.WAITING).order_by("registered_at", "pk")


LIVE = Q(status__in=["confirmed", "waiting"])


class Registration(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmée")
        WAITING = "waiting", _("Liste d’attente")
        CANCELLED = "cancelled", _("Annulée")

    recruitment = models.ForeignKey(
        Recruitment,
        on_delete=models.CASCADE,
        related_name="registrations",
        verbose_name=_("recrutement"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="ecoute_registrations",
        verbose_name=_("compte"),
    )
    # A visitor without an account: the least needed to reach them. Blanked at retention time.
    name = models.CharField(_("nom"), max_length=150, blank=True)
    email = models.EmailField(_("adresse e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    status = models.CharField(_("statut"), max_length=10, choices=Status)
    registered_at = models.DateTimeField(_("inscrit le"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)
    promoted_at = models.DateTimeField(_("sortie de la liste d’attente le"), null=True, blank=True)
    # Which e-mails went out (each task claims its column before sending: never twice).
    confirmation_sent_at = models.DateTimeField(_("confirmation envoyée le"), null=True, blank=True)
    promotion_sent_at = models.DateTimeField(_("promotion envoyée le"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("rappel envoyé le"), null=True, blank=True)
    purged_at = models.DateTimeField(_("données effacées le"), null=True, blank=True)
    # The secret of the cancellation link e-mailed to a visitor.
    cancel_token = models.UUIDField(_("jeton d’annulation"), default=uuid.uuid4, unique=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        ordering = ["recruitment", "registered_at", "pk"]
        indexes = [models.Index(fields=["recruitment", "status", "registered_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["recruitment", "user"],
                condition=LIVE & Q(user__isnull=False),
                name="registration_once_per_account",
                violation_error_message=_("Vous êtes déjà inscrit."),
            ),
            models.UniqueConstraint(
                fields=["recruitment", "email"],
                condition=LIVE & ~Q(email=""),
                name="registration_once_per_email",
                violation_error_message=_("Cette adresse est déjà inscrite."),
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(email="") | Q(purged_at__isnull=False),
                name="registration_has_a_contact",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} – {self.recruitment_id}"

    @property
    def display_name(self) -> str:
        if self.user_id:
            return self.user.get_full_name() or self.user.email
        return self.name or str(_("(données effacées)"))

    @property
    def contact_email(self) -> str:
        return self.user.email if self.user_id else self.email
