"""The restitution of a consultation ("vous avez dit, nous avons fait"): a synthesis and the
decisions taken (what was said → what we did, optionally a portfolio project), written as a
draft by the consultation's managers, then published once on the consultation's page.

Publishing tells everyone who left an e-mail to hear back; `RestitutionEmail` records each
address told, so that a re-run of the task never e-mails anyone twice. `RestitutionReminder`
records the reminders sent to a consultation's owner when no restitution came after closing.
`RestitutionMailing` is one run of those e-mails, a leased job (caflab.core.jobs): a worker that
dies mid-way is replaced within minutes, and a run out of attempts offers "Relancer".
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caflab.core.jobs import LeasedJob
from caflab.core.models import TimeStampedModel
from caflab.core.workflow import StatusHistory


class RestitutionQuerySet(models.QuerySet["Restitution"]):
    def published(self) -> "RestitutionQuerySet":
        return self.filter(status=Restitution.Status.PUBLISHED)


class Restitution(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        PUBLISHED = "published", _("Publiée")

    consultation = models.OneToOneField(
        "ecoute.Consultation",
        on_delete=models.PROTECT,
        related_name="restitution",
        verbose_name=_("consultation"),
    )
    synthesis = models.TextField(
        _("synthèse"), help_text=_("Ce que les participants ont dit, en quelques paragraphes.")
    )
    status = models.CharField(_("statut"), max_length=10, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("publiée par"),
    )
    # Set once every hear-back address has been e-mailed: the daily task re-sends otherwise.
    emails_done_at = models.DateTimeField(_("e-mails envoyés le"), null=True, blank=True)

    objects = RestitutionQuerySet.as_manager()

    class Meta:
        verbose_name = _("restitution")
        verbose_name_plural = _("restitutions")
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="restitution_published_has_date",
            )
        ]

    def __str__(self) -> str:
        return str(self.consultation)

    def get_absolute_url(self) -> str:
        return reverse("ecoute:restitution", kwargs={"slug": self.consultation.slug})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class DecisionStatus(models.TextChoices):
    PLANNED = "planned", _("Prévue")
    IN_PROGRESS = "in_progress", _("En cours")
    DONE = "done", _("Réalisée")
    ABANDONED = "abandoned", _("Abandonnée")


class Decision(TimeStampedModel):
    """One line of "vous avez dit, nous avons fait", and its follow-up ("où on en est"): a
    status, a progress in %, and dated updates (`DecisionUpdate`, written by
    `ecoute.services.decisions.decision_update`, never deleted)."""

    Status = DecisionStatus

    restitution = models.ForeignKey(
        Restitution,
        on_delete=models.CASCADE,
        related_name="decisions",
        verbose_name=_("restitution"),
    )
    said = models.TextField(_("vous avez dit"))
    done = models.TextField(_("nous avons fait"))
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="restitution_decisions",
        verbose_name=_("projet du portefeuille"),
    )
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    status = models.CharField(
        _("avancement"), max_length=12, choices=DecisionStatus, default=DecisionStatus.PLANNED
    )
    status_changed_at = models.DateTimeField(_("avancement depuis"), default=timezone.now)
    progress = models.PositiveSmallIntegerField(_("progression (%)"), default=0)

    class Meta:
        verbose_name = _("décision")
        verbose_name_plural = _("décisions")
        ordering = ["restitution", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="decision_progress_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return self.said[:80]


class DecisionUpdate(StatusHistory, models.Model):
    """A dated update of a decision's follow-up: its status and progress then, and what
    happened. Written by each move (`caflab.core.workflow.transition`); never deleted (PROTECT):
    the history of what was promised and done is the point."""

    subject_field = "decision"
    to_field = "status"
    by_field = "by"
    at_field = "at"
    reason_field = "text"

    decision = models.ForeignKey(
        Decision, on_delete=models.PROTECT, related_name="updates", verbose_name=_("décision")
    )
    from_status = models.CharField(_("de"), max_length=12, choices=DecisionStatus, blank=True)
    status = models.CharField(_("avancement"), max_length=12, choices=DecisionStatus)
    progress = models.PositiveSmallIntegerField(_("progression (%)"), default=0)
    text = models.TextField(_("où on en est"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
    )
    at = models.DateTimeField(_("le"), default=timezone.now, db_index=True)
    # Set in the transaction that notified the people who took part (the task then e-mails the
    # hear-back addresses, each once): a re-run of the task notifies nobody twice.
    announced_at = models.DateTimeField(_("annoncé le"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("point d’avancement d’une décision")
        verbose_name_plural = _("points d’avancement des décisions")
        ordering = ["decision", "at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="decision_update_progress_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision_id}: {self.status} {self.progress} %"


class DecisionUpdateEmail(models.Model):
    """ "This hear-back address was told about this update": one row per address, written in the
    transaction that sends, so a re-run of the task skips it (as `RestitutionEmail`)."""

    update = models.ForeignKey(
        DecisionUpdate,
        on_delete=models.CASCADE,
        related_name="emails",
        verbose_name=_("point d’avancement"),
    )
    hear_back = models.ForeignKey(
        "ecoute.HearBackRequest",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("demande de retour"),
    )
    sent_at = models.DateTimeField(_("envoyé le"), default=timezone.now)

    class Meta:
        verbose_name = _("e-mail de suivi de décision")
        verbose_name_plural = _("e-mails de suivi des décisions")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["update", "hear_back"], name="decision_update_email_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.update_id} → {self.hear_back_id}"


class RestitutionEmail(models.Model):
    """ "This hear-back address was told about this restitution": one row per address, written
    in the same transaction as the sending, so a re-run skips it. No copy of the address."""

    restitution = models.ForeignKey(
        Restitution, on_delete=models.CASCADE, related_name="emails", verbose_name=_("restitution")
    )
    hear_back = models.ForeignKey(
        "ecoute.HearBackRequest",
        on_delete=models.CASCADE,
        # No reverse accessor: a hear-back request stays a bare address (see responses.py).
        related_name="+",
        verbose_name=_("demande de retour"),
    )
    sent_at = models.DateTimeField(_("envoyé le"), default=timezone.now)

    class Meta:
        verbose_name = _("e-mail de restitution")
        verbose_name_plural = _("e-mails de restitution")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["restitution", "hear_back"], name="restitution_email_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.restitution_id} → {self.hear_back_id}"


class RestitutionMailing(LeasedJob, TimeStampedModel):
    """One run of a published restitution's e-mails to the hear-back addresses. The addresses
    already told (`RestitutionEmail`) are skipped, so a run taken over after its worker died,
    or a fresh run after "Relancer", mails only those left."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("En attente")
        RUNNING = "running", _("En cours")
        READY = "ready", _("Terminé")
        FAILED = "failed", _("Échec")

    restitution = models.ForeignKey(
        Restitution,
        on_delete=models.CASCADE,
        related_name="mailings",
        verbose_name=_("restitution"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("demandé par"),
    )
    total = models.PositiveIntegerField(_("adresses à prévenir"), default=0)
    sent_count = models.PositiveIntegerField(_("e-mails envoyés"), default=0)
    status = models.CharField(_("statut"), max_length=10, choices=Status, default=Status.QUEUED)
    error = models.CharField(_("erreur"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("envoi des e-mails de restitution")
        verbose_name_plural = _("envois des e-mails de restitution")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.restitution} ({self.created_at:%d/%m/%Y %H:%M})"


class RestitutionReminder(models.Model):
    """A reminder that a closed consultation still owes its restitution. Step k is sent k×N
    days after closing (N = ECOUTE_RESTITUTION_REMINDER_DAYS), once (unique): the owner from
    step 1, the lab too from step 2, the sponsor directorate too from step 3."""

    class Level(models.TextChoices):
        OWNER = "owner", _("Responsable")
        LAB = "lab", _("CafLab")
        DIRECTORATE = "directorate", _("Direction sponsor")

    consultation = models.ForeignKey(
        "ecoute.Consultation",
        on_delete=models.CASCADE,
        related_name="restitution_reminders",
        verbose_name=_("consultation"),
    )
    sent_at = models.DateTimeField(_("envoyé le"), default=timezone.now)
    step = models.PositiveSmallIntegerField(_("relance n°"), default=1)
    level = models.CharField(_("jusqu’à"), max_length=12, choices=Level, default=Level.OWNER)

    class Meta:
        verbose_name = _("relance de restitution")
        verbose_name_plural = _("relances de restitution")
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["consultation", "sent_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "step"], name="restitution_reminder_once_per_step"
            )
        ]

    def __str__(self) -> str:
        return f"{self.consultation_id} – {self.sent_at:%d/%m/%Y}"


class HearBackNews(models.Model):
    """News of what became of a questionnaire's answers (a written answer turned into an idea,
    joined to a project, the project moving on), for the addresses left to hear back: written
    once per event (`key`), then e-mailed by the worker to each address once
    (`HearBackNewsEmail`). `sent_at` is set once every address present was told; the beat
    sends again what a lost message or a dead worker left."""

    questionnaire = models.ForeignKey(
        "ecoute.Questionnaire",
        on_delete=models.PROTECT,
        related_name="hear_back_news",
        verbose_name=_("questionnaire"),
    )
    key = models.CharField(_("clé"), max_length=120)
    subject = models.CharField(_("objet"), max_length=200)
    text = models.TextField(_("texte"))
    path = models.CharField(_("lien"), max_length=300, help_text=_("Page du site à ouvrir."))
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("nouvelle pour les demandes de retour")
        verbose_name_plural = _("nouvelles pour les demandes de retour")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "key"], name="hear_back_news_once")
        ]
        indexes = [models.Index(fields=["sent_at", "created_at"])]

    def __str__(self) -> str:
        return self.subject


class HearBackNewsEmail(models.Model):
    """ "This address was told this news": written in the transaction that sends it."""

    news = models.ForeignKey(
        HearBackNews, on_delete=models.CASCADE, related_name="emails", verbose_name=_("nouvelle")
    )
    hear_back = models.ForeignKey(
        "ecoute.HearBackRequest",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("demande de retour"),
    )
    sent_at = models.DateTimeField(_("envoyé le"), default=timezone.now)

    class Meta:
        verbose_name = _("e-mail de nouvelle")
        verbose_name_plural = _("e-mails de nouvelles")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["news", "hear_back"], name="hear_back_news_email_once")
        ]

    def __str__(self) -> str:
        return f"{self.news_id} → {self.hear_back_id}"
