"""Impact reports, generated in the background from a frozen snapshot, and the management
responses to their recommendations."""

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from caflab.core.audit import before_and_after, event_meta
from caflab.core.jobs import JobQuerySet, LeasedJob
from caflab.core.models import TimeStampedModel
from caflab.core.uploads import RandomName, get_private_storage
from evaluation.models.plans import Criterion


class ImpactReportQuerySet(JobQuerySet):
    def visible_to(self, user) -> "ImpactReportQuerySet":
        """Lab staff: all. The network's members: published reports of the projects they see,
        and the reports they asked for. A project's lead and team: all its reports; the Cnaf's
        directorates: all portfolio reports. Citizens and anonymous visitors: none."""
        from projects.models import Project

        if not user.is_authenticated or user.is_citizen:
            return self.none()
        if user.is_lab_staff:
            return self
        projects = Project.objects.visible_to(user).values("pk")
        readable = Q(is_published=True) & (Q(project__in=projects) | Q(project__isnull=True))
        if not user.is_network_member:
            readable = Q(is_published=True, project__in=projects)
        team = Project.objects.filter(Q(lead=user) | Q(team_members__user=user)).values("pk")
        readable |= Q(project__in=team)
        if user.is_directorate_member and user.is_active:
            readable |= Q(project__isnull=True)
        return self.filter(readable | Q(requested_by=user))


# A report is an export of the evaluation's data: its request and its publication are recorded.
@pghistory.track(
    pghistory.InsertEvent("requested"),
    *before_and_after("is_published"),
    fields=["scope", "project", "requested_by", "is_published"],
    model_name="ImpactReportEvent",
    meta=event_meta(_("historique : rapport d’impact"), _("historique : rapports d’impact")),
)
class ImpactReport(LeasedJob, TimeStampedModel):
    class Scope(models.TextChoices):
        PROJECT = "project", _("Projet")
        PORTFOLIO = "portfolio", _("Portefeuille")

    class Status(models.TextChoices):
        QUEUED = "queued", _("En file d’attente")
        RUNNING = "running", _("En cours")
        READY = "ready", _("Prêt")
        FAILED = "failed", _("Échec")

    scope = models.CharField(_("portée"), max_length=10, choices=Scope, default=Scope.PROJECT)
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="impact_reports",
        verbose_name=_("projet"),
    )
    title = models.CharField(_("titre"), max_length=200)
    status = models.CharField(_("statut"), max_length=10, choices=Status, default=Status.QUEUED)
    error = models.TextField(_("erreur"), blank=True)
    snapshot = models.JSONField(_("données figées"), default=dict, blank=True)
    snapshot_digest = models.CharField(_("empreinte des données"), max_length=64, blank=True)
    html = models.TextField(_("rapport HTML"), blank=True)
    pdf = models.FileField(
        _("rapport PDF"),
        upload_to=RandomName("evaluation/reports"),
        storage=get_private_storage,
        blank=True,
        max_length=255,
    )
    is_published = models.BooleanField(
        _("publié"), default=False, help_text=_("Un rapport publié est lisible par les agents.")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requested_impact_reports",
        verbose_name=_("demandé par"),
    )

    objects = ImpactReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("rapport d’impact")
        verbose_name_plural = _("rapports d’impact")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(scope="project") & Q(project__isnull=False))
                | (Q(scope="portfolio") & Q(project__isnull=True)),
                name="impact_report_scope_matches_project",
            ),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(error=""),
                name="impact_report_failed_has_error",
            ),
            models.CheckConstraint(
                condition=~Q(is_published=True) | Q(status="ready"),
                name="impact_report_published_is_ready",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("evaluation:report-detail", kwargs={"pk": self.pk})


class Recommendation(TimeStampedModel):
    """A recommendation of the evaluation; reports freeze them, responses follow them up."""

    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        related_name="recommendations",
        verbose_name=_("projet"),
    )
    text = models.TextField(_("recommandation"))
    criterion = models.CharField(
        _("critère"),
        max_length=20,
        choices=Criterion,
        blank=True,
    )
    position = models.PositiveIntegerField(_("ordre"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rédigée par"),
    )

    class Meta:
        verbose_name = _("recommandation")
        verbose_name_plural = _("recommandations")
        ordering = ["project", "position", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class ManagementResponse(TimeStampedModel):
    class Decision(models.TextChoices):
        ACCEPTED = "accepted", _("Acceptée")
        PARTLY = "partly", _("Partiellement acceptée")
        REJECTED = "rejected", _("Rejetée")

    recommendation = models.OneToOneField(
        Recommendation,
        on_delete=models.PROTECT,
        related_name="response",
        verbose_name=_("recommandation"),
    )
    decision = models.CharField(_("réponse"), max_length=10, choices=Decision)
    action = models.TextField(_("action prévue"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="management_actions",
        verbose_name=_("responsable"),
    )
    due_on = models.DateField(_("échéance"), null=True, blank=True)
    done_on = models.DateField(_("réalisée le"), null=True, blank=True)
    reminded_on = models.DateField(_("dernier rappel le"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("répondu par"),
    )

    class Meta:
        verbose_name = _("réponse de la direction")
        verbose_name_plural = _("réponses de la direction")
        ordering = ["due_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision="rejected") | (~Q(action="") & Q(due_on__isnull=False)),
                name="management_response_action_and_due_date",
                violation_error_message=_(
                    "Une recommandation acceptée appelle une action et une échéance."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recommendation} – {self.get_decision_display()}"
