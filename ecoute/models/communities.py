"""Communities: standing panels of users (such as the Lab Parentalité of the Isère Caf) whose
members are invited to consultations, workshops and test sessions.

A membership records the consent given (when, and which version of the community's consent
text); leaving keeps the row with its end date (the history of who was a member when), and a
partial unique constraint allows one active membership per person and community. Invitations
are sent to an e-mail address and accepted through a signed, single-use link.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caflab.core.models import TimeStampedModel
from caflab.network.models import Caf

DEFAULT_CONSENT_TEXT = _(
    "J’accepte de rejoindre cette communauté : la Caf conserve mon adresse e-mail et ma date "
    "d’adhésion pour m’inviter à des consultations, des ateliers et des tests. Je peux quitter "
    "la communauté à tout moment depuis la page « Mes communautés »."
)


class CommunityQuerySet(models.QuerySet["Community"]):
    def managed_by(self, user) -> "CommunityQuerySet":
        """The lab and moderators manage every community, a correspondent their Caf's."""
        if not user.is_authenticated:
            return self.none()
        if user.is_lab_staff or user.is_moderator:
            return self
        if user.is_correspondent and user.caf_id:
            return self.filter(caf=user.caf_id)
        return self.none()

    def visible_to(self, user) -> "CommunityQuerySet":
        """Managers see theirs; a signed-in person sees the open ones and those they belong to.
        Anonymous visitors see none."""
        if not user.is_authenticated:
            return self.none()
        mine = Membership.objects.active().filter(user=user).values("community_id")
        managed = self.model.objects.managed_by(user).values("pk")
        return self.filter(Q(is_open=True) | Q(pk__in=mine) | Q(pk__in=managed))

    def with_list_data(self) -> "CommunityQuerySet":
        return self.select_related("caf").annotate(
            n_members=Count("memberships", filter=Q(memberships__left_at__isnull=True))
        )


class Community(TimeStampedModel):
    name = models.CharField(_("nom"), max_length=150, unique=True)
    description = models.TextField(_("présentation"))
    caf = models.ForeignKey(
        Caf,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="communities",
        verbose_name=_("Caf"),
        help_text=_("Vide pour une communauté nationale, animée par le CafLab."),
    )
    is_open = models.BooleanField(
        _("ouverte"),
        default=False,
        help_text=_(
            "Toute personne connectée peut la rejoindre elle-même ; sinon, sur invitation."
        ),
    )
    consent_text = models.TextField(_("texte du consentement"), default=DEFAULT_CONSENT_TEXT)
    consent_version = models.PositiveSmallIntegerField(
        _("version du consentement"),
        default=1,
        help_text=_("À augmenter quand le texte du consentement change."),
    )

    objects = CommunityQuerySet.as_manager()

    class Meta:
        verbose_name = _("communauté")
        verbose_name_plural = _("communautés")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("ecoute:community-detail", kwargs={"pk": self.pk})


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> "MembershipQuerySet":
        return self.filter(left_at__isnull=True)


class Membership(models.Model):
    class Via(models.TextChoices):
        INVITATION = "invitation", _("Sur invitation")
        SELF = "self", _("Adhésion libre")

    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("communauté"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="community_memberships",
        verbose_name=_("membre"),
    )
    via = models.CharField(_("adhésion"), max_length=10, choices=Via, default=Via.SELF)
    consent_given_at = models.DateTimeField(_("consentement donné le"))
    consent_version = models.PositiveSmallIntegerField(_("version du consentement"))
    joined_at = models.DateTimeField(_("membre depuis le"), default=timezone.now)
    left_at = models.DateTimeField(_("a quitté le"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membre d’une communauté")
        verbose_name_plural = _("membres des communautés")
        ordering = ["-joined_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "user"],
                condition=Q(left_at__isnull=True),
                name="community_one_active_membership",
                violation_error_message=_("Cette personne est déjà membre de la communauté."),
            )
        ]
        indexes = [models.Index(fields=["user", "left_at"])]

    def __str__(self) -> str:
        return f"{self.user} – {self.community}"

    @property
    def is_active(self) -> bool:
        return self.left_at is None

    def leave(self, now: datetime.datetime | None = None) -> None:
        if self.left_at is not None:
            raise ValidationError(_("Vous avez déjà quitté cette communauté."))
        self.left_at = now or timezone.now()
        self.save(update_fields=["left_at"])


class InvitationQuerySet(models.QuerySet["CommunityInvitation"]):
    def pending(self) -> "InvitationQuerySet":
        return self.filter(accepted_at__isnull=True)


class CommunityInvitation(models.Model):
    """An invitation to join a community, sent to an address (the person may have no account
    yet). Its link is signed and single-use: accepting it stamps `accepted_at`."""

    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("communauté"),
    )
    email = models.EmailField(_("adresse e-mail"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invité par"),
    )
    created_at = models.DateTimeField(_("envoyée le"), default=timezone.now)
    sent_at = models.DateTimeField(_("e-mail parti le"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)
    membership = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("adhésion"),
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation à une communauté")
        verbose_name_plural = _("invitations aux communautés")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "email"],
                condition=Q(accepted_at__isnull=True),
                name="community_invitation_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.community}"


class CommunityConsultationInvite(models.Model):
    """ "This member was invited to this consultation": makes inviting a community to a
    consultation idempotent (one message per consultation and member, however often the manager
    clicks or the task runs)."""

    consultation = models.ForeignKey(
        "ecoute.Consultation",
        on_delete=models.CASCADE,
        related_name="community_invites",
        verbose_name=_("consultation"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("membre invité"),
    )
    invited_at = models.DateTimeField(_("invité le"), default=timezone.now)

    class Meta:
        verbose_name = _("invitation d’un membre à une consultation")
        verbose_name_plural = _("invitations des membres aux consultations")
        ordering = ["-invited_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "user"], name="community_consultation_invite_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.consultation_id}"
