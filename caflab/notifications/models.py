"""In-app notifications, the e-mail outbox and follows.

A notification is always stored in-app; whether it is also e-mailed, and how, is decided once
when it is created (`email_delivery`) from the recipient's preference, so a later change of
preference never re-sends or loses what was already decided. Every e-mail goes through an
`OutboxMail` row first: the row is the durable record, the Celery task only delivers it, so a
broker outage delays mail but never loses it (see `flush_outbox`).
"""

from datetime import datetime
from email.utils import parseaddr
from typing import ClassVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Delivery attempts of one mail before it is marked failed (an admin can re-queue it).
MAX_ATTEMPTS = 6


class NotificationQuerySet(models.QuerySet["Notification"]):
    def for_user(self, user) -> "NotificationQuerySet":
        """The notifications `user` may see: their own, nothing for anonymous users."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(recipient_id=user.pk)

    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)

    def read(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=False)

    def awaiting_digest(self) -> "NotificationQuerySet":
        """Unread notifications meant for a digest that no digest has carried yet."""
        return self.unread().filter(
            email_delivery=Notification.Delivery.DIGEST, digested_at__isnull=True
        )

    def unread_first(self) -> "NotificationQuerySet":
        """Unread ones first, then read ones; newest first within each group."""
        is_unread = models.ExpressionWrapper(
            Q(read_at__isnull=True), output_field=models.BooleanField()
        )
        return self.order_by(is_unread.desc(), "-created_at", "-pk")

    def mark_read(self) -> int:
        """Mark the unread ones read, in one UPDATE; returns how many changed."""
        return self.unread().update(read_at=timezone.now())


class FanOut(models.Model):
    """One event told to many people (the followers of a popular project…): the request writes
    this row and returns; a task creates the notifications and the outbox mails batch by batch.

    Exactly once: the task advances `processed` (a cursor in `recipient_ids`) in the same
    transaction as the batch it creates, under a row lock, and a notification is unique per
    fan-out and recipient. `key` names the event, so telling the same event twice is a no-op.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("En cours")
        DONE = "done", _("Terminé")

    key = models.CharField(_("clé de l’événement"), max_length=120, unique=True)
    kind = models.CharField(_("type"), max_length=60)
    title = models.CharField(_("titre"), max_length=255)
    body = models.TextField(_("texte"), blank=True)
    url = models.CharField(_("lien"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("auteur de l’action"),
    )
    is_own_contribution = models.BooleanField(
        _("concerne une contribution du destinataire"), default=False
    )
    # Identifiers of the accounts to tell, sorted, taken when the event happened, as "12,15,…"
    # (`recipient_ids`): for 30,000 people the cheapest form to write in the request (text
    # takes half the time of jsonb or bytea on PostgreSQL).
    recipients_packed = models.TextField(_("destinataires (identifiants)"), blank=True)
    total = models.PositiveIntegerField(_("destinataires"), default=0)
    processed = models.PositiveIntegerField(_("destinataires traités"), default=0)
    notified = models.PositiveIntegerField(_("notifications créées"), default=0)
    mailed = models.PositiveIntegerField(_("e-mails mis en file"), default=0)
    status = models.CharField(_("état"), max_length=10, choices=Status, default=Status.PENDING)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("diffusion de notification")
        verbose_name_plural = _("diffusions de notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # flush_outbox resumes the fan-outs left unfinished.
            models.Index(
                fields=["updated_at"], condition=Q(status="pending"), name="fanout_pending_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @staticmethod
    def pack(ids: list[int]) -> str:
        return ",".join(map(str, ids))

    @property
    def recipient_ids(self) -> list[int]:
        return [int(pk) for pk in self.recipients_packed.split(",") if pk]


class Notification(models.Model):
    class Delivery(models.TextChoices):
        NONE = "none", _("Pas d’e-mail")
        IMMEDIATE = "immediate", _("E-mail immédiat")
        DIGEST = "digest", _("Dans le récapitulatif")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("destinataire"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("auteur de l’action"),
    )
    kind = models.CharField(
        _("type"),
        max_length=60,
        help_text=_("Code de l’événement, par exemple « idea.status_changed »."),
    )
    title = models.CharField(_("titre"), max_length=255)
    body = models.TextField(_("texte"), blank=True)
    url = models.CharField(
        _("lien"), max_length=500, blank=True, help_text=_("Chemin relatif sur le site.")
    )
    is_own_contribution = models.BooleanField(
        _("concerne une contribution du destinataire"),
        default=False,
        help_text=_("Toujours envoyé par e-mail immédiatement, quelle que soit la préférence."),
    )
    email_delivery = models.CharField(
        _("envoi par e-mail"), max_length=10, choices=Delivery, default=Delivery.NONE
    )
    digested_at = models.DateTimeField(_("inclus dans un récapitulatif le"), null=True, blank=True)
    digest_mail = models.ForeignKey(
        "OutboxMail",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="digested_notifications",
        verbose_name=_("e-mail récapitulatif"),
    )
    fanout = models.ForeignKey(
        FanOut,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("diffusion"),
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    read_at = models.DateTimeField(_("lue le"), null=True, blank=True)

    objects: ClassVar[NotificationQuerySet] = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A fan-out run twice (a retried task) never tells anyone twice.
            models.UniqueConstraint(
                fields=["fanout", "recipient"],
                condition=Q(fanout__isnull=False),
                name="notif_unique_per_fanout",
            )
        ]
        indexes = [
            # The notification centre and the unread badge (context processor).
            models.Index(fields=["recipient", "read_at"], name="notif_recipient_read_idx"),
            models.Index(fields=["recipient", "-created_at"], name="notif_recipient_created_idx"),
            # The digest run looks only at what still waits for a digest.
            models.Index(
                fields=["recipient"],
                condition=Q(email_delivery="digest", digested_at__isnull=True),
                name="notif_awaiting_digest_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    def mark_read(self) -> None:
        if self.read_at is None:
            self.read_at = timezone.now()
            self.save(update_fields=["read_at"])


class OutboxMailQuerySet(models.QuerySet["OutboxMail"]):
    def pending(self) -> "OutboxMailQuerySet":
        return self.filter(status=OutboxMail.Status.PENDING)

    def lease_expired(self, now: datetime) -> "OutboxMailQuerySet":
        """Claimed for sending by a worker that never recorded the outcome (it died between
        the claim and the record): the mail may or may not have left."""
        return self.filter(status=OutboxMail.Status.SENDING, claimed_until__lte=now)

    def claimable(self, now: datetime) -> "OutboxMailQuerySet":
        """What a worker may claim now: pending, or "sending" past its lease."""
        return self.filter(
            Q(status=OutboxMail.Status.PENDING)
            | Q(status=OutboxMail.Status.SENDING, claimed_until__lte=now)
        )


class OutboxMail(models.Model):
    """One e-mail to send. The address is read from the recipient at send time, never stored
    here nor passed to a task.

    pending → sending (claimed by one worker until `claimed_until`) → sent, or back to pending
    (temporary error), or failed. See `services.outbox_mail_deliver` for why a mail left
    "sending" past its lease is sent again, with the same `message_id`."""

    class Kind(models.TextChoices):
        IMMEDIATE = "immediate", _("Immédiat")
        DIGEST = "digest", _("Récapitulatif")

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        SENDING = "sending", _("En cours d’envoi")
        SENT = "sent", _("Envoyé")
        FAILED = "failed", _("Échec")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="outbox_mails",
        verbose_name=_("destinataire"),
    )
    notification = models.ForeignKey(
        Notification,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mails",
        verbose_name=_("notification"),
    )
    kind = models.CharField(_("type"), max_length=10, choices=Kind, default=Kind.IMMEDIATE)
    subject = models.CharField(_("objet"), max_length=255)
    body = models.TextField(_("texte"))
    status = models.CharField(_("état"), max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    last_error = models.CharField(
        _("dernière erreur"),
        max_length=255,
        blank=True,
        help_text=_("Type d’erreur seulement, sans donnée personnelle."),
    )
    last_attempt_at = models.DateTimeField(_("dernière tentative le"), null=True, blank=True)
    claimed_until = models.DateTimeField(
        _("réservé jusqu’au"),
        null=True,
        blank=True,
        help_text=_(
            "Un envoi en cours appartient à un seul processus jusqu’à cette heure ; passé ce "
            "délai sans résultat enregistré, l’e-mail est renvoyé avec le même Message-ID."
        ),
    )
    message_id = models.CharField(
        _("Message-ID"),
        max_length=255,
        blank=True,
        default="",
        # Also in the database: the fan-out inserts rows in SQL, and code of the previous
        # release still inserts without this column during a deployment.
        db_default="",
        help_text=_("Identique à chaque tentative : le destinataire reconnaît un doublon."),
    )
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    objects: ClassVar[OutboxMailQuerySet] = OutboxMailQuerySet.as_manager()

    class Meta:
        verbose_name = _("e-mail sortant")
        verbose_name_plural = _("e-mails sortants")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # flush_outbox scans only pending rows.
            models.Index(
                fields=["created_at"],
                condition=Q(status="pending"),
                name="outbox_pending_idx",
            ),
            # ... and the few rows whose sending lease ran out.
            models.Index(
                fields=["claimed_until"],
                condition=Q(status="sending"),
                name="outbox_sending_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_sent(self) -> bool:
        return self.status == self.Status.SENT

    def is_claimable(self, now: datetime) -> bool:
        """The row as read says a worker may claim it (the claim itself re-checks in SQL)."""
        if self.status == self.Status.PENDING:
            return True
        return (
            self.status == self.Status.SENDING
            and self.claimed_until is not None
            and self.claimed_until <= now
        )

    def build_message_id(self) -> str:
        """The Message-ID of every attempt at this mail, derived from the row alone (never from
        the sending host, as `make_msgid` would be), so that a re-send after an unknown outcome
        carries the same one and receivers can tell it is a duplicate."""
        _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
        domain = address.rpartition("@")[2] or "caflab.invalid"
        stamp = int(self.created_at.timestamp() * 1_000_000)
        return f"<outbox-{self.pk}.{stamp}@{domain}>"


class FollowQuerySet(models.QuerySet["Follow"]):
    def of(self, obj: models.Model) -> "FollowQuerySet":
        """Follows of one object, whatever its model."""
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
            object_id=obj.pk,
        )


class Follow(models.Model):
    """A user follows any object (idea, project, initiative…) to be told what happens to it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="follows",
        verbose_name=_("utilisateur"),
    )
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, verbose_name=_("type d’objet")
    )
    object_id = models.PositiveBigIntegerField(_("identifiant de l’objet"))
    target = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(_("suivi depuis le"), default=timezone.now)

    objects: ClassVar[FollowQuerySet] = FollowQuerySet.as_manager()

    class Meta:
        verbose_name = _("abonnement")
        verbose_name_plural = _("abonnements")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "content_type", "object_id"], name="follow_unique_per_user"
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="follow_target_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.content_type_id}:{self.object_id}"
