"""The evaluation plan of a project (versioned) and its theory of change."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from caflab.core.models import TimeStampedModel
from caflab.search.indexing import search_indexes, search_vector_trigger


class Criterion(models.TextChoices):
    """The evaluative criteria (OECD DAC, as used by French public-policy evaluation)."""

    RELEVANCE = "relevance", _("Pertinence")
    COHERENCE = "coherence", _("Cohérence")
    EFFECTIVENESS = "effectiveness", _("Efficacité")
    EFFICIENCY = "efficiency", _("Efficience")
    IMPACT = "impact", _("Impact")
    SUSTAINABILITY = "sustainability", _("Durabilité")


class EvidenceLevel(models.IntegerChoices):
    ACCOUNT = 1, _("1 — Récit de l’impact")
    BEFORE_AFTER = 2, _("2 — Mesure avant / après")
    COMPARISON = 3, _("3 — Groupe de comparaison")
    REPLICATED = 4, _("4 — Résultats reproduits")
    AT_SCALE = 5, _("5 — Résultats à grande échelle ailleurs")


class EvaluationPlanQuerySet(models.QuerySet["EvaluationPlan"]):
    def visible_to(self, user) -> "EvaluationPlanQuerySet":
        """The plans of the projects `user` sees; citizens and anonymous visitors see none."""
        from projects.models import Project

        if not user.is_authenticated or user.is_citizen:
            return self.none()
        return self.filter(project__in=Project.objects.visible_to(user).values("pk"))


class EvaluationPlan(TimeStampedModel):
    """One plan per project. Saving a version freezes its content in a `PlanVersion`."""

    project = models.OneToOneField(
        "projects.Project",
        on_delete=models.CASCADE,
        related_name="evaluation_plan",
        verbose_name=_("projet"),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    summary = models.TextField(_("objet de l’évaluation"), blank=True)
    methods = models.TextField(
        _("méthodes"),
        blank=True,
        help_text=_("Questionnaires, entretiens, observation, données de gestion…"),
    )
    calendar = models.TextField(_("calendrier"), blank=True)
    evidence_level = models.PositiveSmallIntegerField(
        _("niveau de preuve visé"), choices=EvidenceLevel, default=EvidenceLevel.ACCOUNT
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("modifié par"),
    )
    # Kept current by PostgreSQL (caflab.search.indexing); empty on SQLite. The project's
    # title is searched through the project's own vector.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = EvaluationPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan d’évaluation")
        verbose_name_plural = _("plans d’évaluation")
        ordering = ["-updated_at"]
        indexes = [*search_indexes("evaluation_plan", title=None)]
        triggers = [search_vector_trigger(("summary", "A"), ("methods", "B"), ("calendar", "D"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(evidence_level__gte=1, evidence_level__lte=5),
                name="evaluation_plan_evidence_level_1_5",
            ),
        ]

    def __str__(self) -> str:
        return _("Plan d’évaluation de %(project)s (v%(version)s)") % {
            "project": self.project,
            "version": self.version,
        }


class PlanVersion(models.Model):
    """A frozen copy of a plan (questions, groups, theory of change) at a point in time."""

    plan = models.ForeignKey(
        EvaluationPlan, on_delete=models.PROTECT, related_name="versions", verbose_name=_("plan")
    )
    number = models.PositiveIntegerField(_("numéro"))
    content = models.JSONField(_("contenu figé"))
    note = models.CharField(_("ce qui a changé"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enregistrée par"),
    )
    created_at = models.DateTimeField(_("enregistrée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("version de plan")
        verbose_name_plural = _("versions de plan")
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.plan.project.code} v{self.number}"


class StakeholderGroup(TimeStampedModel):
    class Kind(models.TextChoices):
        USERS = "users", _("Usagers, allocataires")
        AGENTS = "agents", _("Agents")
        PARTNERS = "partners", _("Partenaires")
        OTHER = "other", _("Autres")

    plan = models.ForeignKey(
        EvaluationPlan,
        on_delete=models.CASCADE,
        related_name="stakeholder_groups",
        verbose_name=_("plan"),
    )
    name = models.CharField(_("nom"), max_length=120)
    kind = models.CharField(_("type"), max_length=10, choices=Kind, default=Kind.USERS)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("partie prenante")
        verbose_name_plural = _("parties prenantes")
        ordering = ["plan", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "name"], name="stakeholder_group_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class EvaluativeQuestion(TimeStampedModel):
    plan = models.ForeignKey(
        EvaluationPlan, on_delete=models.CASCADE, related_name="questions", verbose_name=_("plan")
    )
    criterion = models.CharField(_("critère"), max_length=20, choices=Criterion)
    text = models.CharField(_("question évaluative"), max_length=400)
    methods = models.CharField(_("méthodes"), max_length=300, blank=True)
    stakeholder_groups = models.ManyToManyField(
        StakeholderGroup,
        blank=True,
        related_name="questions",
        verbose_name=_("parties prenantes interrogées"),
    )
    position = models.PositiveIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("question évaluative")
        verbose_name_plural = _("questions évaluatives")
        ordering = ["plan", "position", "pk"]

    def __str__(self) -> str:
        return self.text


class ChangeStep(TimeStampedModel):
    """A box of the theory of change: activities → outputs → outcomes → impact."""

    class Level(models.TextChoices):
        ACTIVITY = "activity", _("Activités")
        OUTPUT = "output", _("Réalisations")
        OUTCOME = "outcome", _("Résultats")
        IMPACT = "impact", _("Impact")

    plan = models.ForeignKey(
        EvaluationPlan,
        on_delete=models.CASCADE,
        related_name="change_steps",
        verbose_name=_("plan"),
    )
    level = models.CharField(_("niveau"), max_length=10, choices=Level)
    label = models.CharField(_("libellé"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("étape de la théorie du changement")
        verbose_name_plural = _("étapes de la théorie du changement")
        ordering = ["plan", "level", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.get_level_display()} : {self.label}"


class ChangeLink(TimeStampedModel):
    """An arrow of the theory of change, with the assumption it rests on."""

    source = models.ForeignKey(
        ChangeStep, on_delete=models.CASCADE, related_name="links_out", verbose_name=_("de")
    )
    target = models.ForeignKey(
        ChangeStep, on_delete=models.CASCADE, related_name="links_in", verbose_name=_("vers")
    )
    assumption = models.TextField(_("hypothèse"), blank=True)

    class Meta:
        verbose_name = _("lien de la théorie du changement")
        verbose_name_plural = _("liens de la théorie du changement")
        ordering = ["source__position", "target__position"]
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="change_link_unique"),
            models.CheckConstraint(
                condition=~Q(source=F("target")), name="change_link_not_to_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source.label} → {self.target.label}"
