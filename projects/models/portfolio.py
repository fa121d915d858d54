"""The innovation portfolio: projects, their stages and gate reviews, teams, status reports,
blockers and levers, prototypes, experiments, and essaimage deployments across the 101 Caf."""

import datetime

import pghistory
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from caflab.core.audit import before_and_after, event_meta
from caflab.core.models import TimeStampedModel
from caflab.core.scope import NETWORK_SIZE
from caflab.core.workflow import StatusHistory
from caflab.network.models import Caf, CogAmbition, Directorate, Partner, Programme, Theme
from caflab.search.indexing import search_indexes, search_vector_trigger


class Stage(models.TextChoices):
    IDEA = "idea", _("Idée")
    CREATIVITY = "creativity", _("Séance de créativité")
    PROTOTYPE = "prototype", _("Prototype")
    EXPERIMENTATION = "experimentation", _("Expérimentation")
    ESSAIMAGE = "essaimage", _("Essaimage")
    GENERALISED = "generalised", _("Généralisé")
    SHELVED = "shelved", _("En attente")
    ABANDONED = "abandoned", _("Abandonné")


# The pipeline, in order; SHELVED and ABANDONED stand beside it.
PIPELINE: tuple[str, ...] = (
    Stage.IDEA,
    Stage.CREATIVITY,
    Stage.PROTOTYPE,
    Stage.EXPERIMENTATION,
    Stage.ESSAIMAGE,
    Stage.GENERALISED,
)


# What counts towards a COG commitment: a project that reached real life (experimented in a
# Caf, spread to others or generalised), not an idea or a prototype.
ADVANCED_STAGES: tuple[str, ...] = (Stage.EXPERIMENTATION, Stage.ESSAIMAGE, Stage.GENERALISED)


def next_stage(stage: str) -> str | None:
    if stage not in PIPELINE or stage == PIPELINE[-1]:
        return None
    return PIPELINE[PIPELINE.index(stage) + 1]


class Health(models.TextChoices):
    UNKNOWN = "unknown", _("Non renseignée")
    GREEN = "green", _("Bonne")
    AMBER = "amber", _("À surveiller")
    RED = "red", _("En difficulté")


class Track(models.TextChoices):
    NATIONAL_LAB = "national_lab", _("Lab national")
    LOCAL_INCUBATOR = "local_incubator", _("Incubateur local avec partenaires")
    # Managerial practices, workspace layouts, digital transformation: the lab's internal
    # transformation function, with its own gate criteria (GateCriterion.track).
    INTERNAL_TRANSFORMATION = "transformation", _("Transformation interne")


class CriterionQuerySet(models.QuerySet["GateCriterion"]):
    def active(self) -> "CriterionQuerySet":
        return self.filter(is_active=True)

    def for_gate(self, stage: str, track: str = "") -> "CriterionQuerySet":
        """The criteria of the gate into `stage` for a project on `track`: those of every
        track (blank) and those of its own."""
        return self.active().filter(
            Q(track="") | Q(track=track), scorecard=Scorecard.GATE, target_stage=stage
        )

    def for_ideas(self) -> "CriterionQuerySet":
        return self.active().filter(scorecard=Scorecard.IDEA)

    def for_challenge(self, challenge) -> "CriterionQuerySet":
        return self.active().filter(scorecard=Scorecard.CHALLENGE, challenge=challenge)


class ProjectQuerySet(models.QuerySet["Project"]):
    def published(self) -> "ProjectQuerySet":
        """Public project sheets, readable by anyone."""
        return self.filter(is_public=True, is_draft=False)

    def active(self) -> "ProjectQuerySet":
        return self.exclude(stage__in=[Stage.SHELVED, Stage.ABANDONED])

    def visible_to(self, user) -> "ProjectQuerySet":
        """Who sees which project. Drafts: the lab and their own team only; the network sees
        the rest; partners see the projects they work on; citizens the public sheets only."""
        if not user.is_authenticated:
            return self.none()
        if user.is_lab_staff:
            return self
        # Subqueries, not joins: a join on team members or partners would repeat a project
        # once per row, and cost a join over every project on each page that scopes by it.
        in_team = TeamMember.objects.filter(user=user).values("project")
        mine = Q(lead=user) | Q(pk__in=in_team)
        if user.is_network_member:
            scope = Q(is_draft=False) | mine
        elif user.is_partner and user.partner_id:
            theirs = self.model.partners.through.objects.filter(partner=user.partner_id)
            scope = mine | Q(pk__in=theirs.values("project"), is_draft=False)
        else:
            return self.none()
        return self.filter(scope)

    @staticmethod
    def scope_label(user) -> str:
        """What `visible_to(user)` covers, in words, for the pages that count those projects
        ("Périmètre : …", components/scope_line.html): keep it in step with the rule above."""
        if user.is_lab_staff:
            return str(
                _("tout le portefeuille du réseau (%(n)s Caf), brouillons compris")
                % {"n": NETWORK_SIZE}
            )
        if user.is_network_member:
            return str(
                _("les projets publiés du réseau (%(n)s Caf) et les brouillons de vos équipes")
                % {"n": NETWORK_SIZE}
            )
        return str(_("vos projets et ceux auxquels votre organisation participe"))

    def with_card_data(self) -> "ProjectQuerySet":
        """Everything a card or list row reads, so the page costs a fixed number of queries."""
        return self.select_related("lead", "pilot_caf", "sponsor").prefetch_related(
            "themes", "programmes"
        )


class Project(TimeStampedModel):
    code = models.CharField(_("code"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("titre"), max_length=200)
    problem = models.TextField(_("problème à résoudre"))
    solution = models.TextField(_("solution proposée et valeur pour les usagers"), blank=True)
    target_publics = models.CharField(_("publics visés"), max_length=255, blank=True)
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="projects", verbose_name=_("thèmes")
    )
    programmes = models.ManyToManyField(
        Programme, blank=True, related_name="projects", verbose_name=_("programmes")
    )
    cog_ambitions = models.ManyToManyField(
        CogAmbition, blank=True, related_name="projects", verbose_name=_("ambitions de la COG")
    )
    track = models.CharField(_("filière"), max_length=20, choices=Track, default=Track.NATIONAL_LAB)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="led_projects",
        verbose_name=_("porteur"),
    )
    sponsor = models.ForeignKey(
        Directorate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sponsored_projects",
        verbose_name=_("direction sponsor"),
    )
    partners = models.ManyToManyField(
        Partner, blank=True, related_name="projects", verbose_name=_("partenaires")
    )
    pilot_caf = models.ForeignKey(
        Caf,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="piloted_projects",
        verbose_name=_("Caf pilote"),
    )
    budget_planned = models.DecimalField(
        _("budget prévu (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    budget_spent = models.DecimalField(
        _("budget consommé (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    started_on = models.DateField(_("date de lancement"), null=True, blank=True)
    target_end_on = models.DateField(_("échéance visée"), null=True, blank=True)
    is_draft = models.BooleanField(
        _("brouillon"), default=True, help_text=_("Un brouillon n’est visible que de son équipe.")
    )
    is_public = models.BooleanField(
        _("fiche publique"), default=False, help_text=_("Publie une fiche projet lisible par tous.")
    )
    stage = models.CharField(_("étape"), max_length=20, choices=Stage, default=Stage.IDEA)
    stage_changed_at = models.DateTimeField(_("dans cette étape depuis"), default=timezone.now)
    health = models.CharField(_("santé"), max_length=10, choices=Health, default=Health.UNKNOWN)
    health_reported_on = models.DateField(_("santé déclarée le"), null=True, blank=True)
    revisit_on = models.DateField(_("à réexaminer le"), null=True, blank=True)
    lesson_learned = models.TextField(_("leçon apprise"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créé par"),
    )
    # Kept current by PostgreSQL (caflab.search.indexing); empty on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("projet")
        verbose_name_plural = _("projets")
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["stage", "health"]), *search_indexes("project")]
        triggers = [
            search_vector_trigger(
                ("code", "A"), ("title", "A"), ("problem", "B"), ("solution", "C")
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(stage=Stage.SHELVED) | Q(revisit_on__isnull=False),
                name="project_shelved_has_revisit_date",
                violation_error_message=_("Un projet en attente doit avoir une date de réexamen."),
            ),
            models.CheckConstraint(
                condition=~Q(stage=Stage.ABANDONED) | ~Q(lesson_learned=""),
                name="project_abandoned_has_lesson",
                violation_error_message=_("Un projet abandonné doit avoir une leçon apprise."),
            ),
            models.CheckConstraint(
                condition=~Q(is_draft=True, is_public=True),
                name="project_draft_not_public",
                violation_error_message=_("Un brouillon ne peut pas avoir de fiche publique."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", kwargs={"code": self.code})

    @property
    def next_stage(self) -> str | None:
        return next_stage(self.stage)

    @property
    def is_closed(self) -> bool:
        return self.stage in (Stage.ABANDONED, Stage.GENERALISED)


class TeamMember(TimeStampedModel):
    class Role(models.TextChoices):
        LEAD = "lead", _("Porteur")
        CO_LEAD = "co_lead", _("Co-porteur")
        FACILITATOR = "facilitator", _("Facilitateur")
        EXPERT = "expert", _("Expert")
        PARTNER_CONTACT = "partner_contact", _("Contact partenaire")
        MEMBER = "member", _("Membre")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="team_members", verbose_name=_("projet")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="project_memberships",
        verbose_name=_("personne"),
    )
    role = models.CharField(_("rôle"), max_length=20, choices=Role, default=Role.MEMBER)

    class Meta:
        verbose_name = _("membre de l’équipe")
        verbose_name_plural = _("membres de l’équipe")
        ordering = ["project", "role", "user__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="team_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class ProjectOrigin(TimeStampedModel):
    """Where a project came from: an idea, a challenge, a creativity session, a consultation,
    a criée initiative… Later apps point here with any model, without changing this one."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="origins", verbose_name=_("projet")
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    source = GenericForeignKey("content_type", "object_id")
    label = models.CharField(
        _("libellé"), max_length=255, help_text=_("Ce qu’était l’origine au moment du lien.")
    )

    class Meta:
        verbose_name = _("origine du projet")
        verbose_name_plural = _("origines des projets")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "content_type", "object_id"], name="project_origin_unique"
            )
        ]

    def __str__(self) -> str:
        return self.label


class OriginOptOut(models.Model):
    """Someone who took part in a source (supported a contribution, came to a debate…) and asked
    to hear no more of what it becomes. Its authors are always told (their own contribution);
    the others are told in their notification preference, unless they stopped here."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="origin_opt_outs",
        verbose_name=_("personne"),
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    source = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(_("le"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("arrêt du suivi d’une origine")
        verbose_name_plural = _("arrêts du suivi des origines")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "user"], name="origin_opt_out_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.content_type.model} {self.object_id}"


class StageChange(StatusHistory, models.Model):
    """The stage history: one row per move, for the timeline and the time spent per stage."""

    subject_field = "project"
    from_field, to_field, reason_field = "from_stage", "to_stage", None

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="stage_changes", verbose_name=_("projet")
    )
    from_stage = models.CharField(_("de"), max_length=20, choices=Stage, blank=True)
    to_stage = models.CharField(_("vers"), max_length=20, choices=Stage)
    changed_at = models.DateTimeField(_("le"), default=timezone.now, db_index=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
    )
    gate_review = models.ForeignKey(
        "GateReview",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stage_changes",
        verbose_name=_("revue de passage"),
    )

    class Meta:
        verbose_name = _("changement d’étape")
        verbose_name_plural = _("changements d’étape")
        ordering = ["project", "changed_at"]

    def __str__(self) -> str:
        return f"{self.project.code}: {self.from_stage or '∅'} → {self.to_stage}"


class Scorecard(models.TextChoices):
    """Where a set of weighted criteria is used: the same mechanism scores gate reviews, the
    triage of ideas and the entries of a challenge."""

    GATE = "gate", _("Revue de passage")
    IDEA = "idea", _("Tri des idées")
    CHALLENGE = "challenge", _("Jury d’un défi")


class GateCriterion(TimeStampedModel):
    """A weighted criterion scored 1-5: at the gate into `target_stage`, in the triage of ideas,
    or by the jury of one challenge (configurable in the admin)."""

    scorecard = models.CharField(
        _("grille"), max_length=10, choices=Scorecard, default=Scorecard.GATE
    )
    target_stage = models.CharField(_("étape visée"), max_length=20, choices=Stage, blank=True)
    track = models.CharField(
        _("filière"),
        max_length=20,
        choices=Track,
        blank=True,
        help_text=_("Vide : le critère vaut pour toutes les filières."),
    )
    challenge = models.ForeignKey(
        "ideas.Challenge",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="criteria",
        verbose_name=_("défi"),
    )
    label = models.CharField(_("critère"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    weight = models.PositiveSmallIntegerField(
        _("poids"), default=1, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    is_blocking = models.BooleanField(
        _("bloquant"),
        default=False,
        help_text=_("Une note moyenne inférieure à 3 interdit un « go »."),
    )
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    is_active = models.BooleanField(_("actif"), default=True)

    objects = CriterionQuerySet.as_manager()

    class Meta:
        verbose_name = _("critère d’évaluation")
        verbose_name_plural = _("critères d’évaluation")
        ordering = ["scorecard", "target_stage", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["scorecard", "target_stage", "track", "label"],
                condition=Q(challenge__isnull=True),
                name="criterion_unique_label_per_track",
            ),
            models.UniqueConstraint(
                fields=["challenge", "label"],
                condition=Q(challenge__isnull=False),
                name="criterion_unique_label_per_challenge",
            ),
            models.CheckConstraint(
                condition=~Q(scorecard="gate") | ~Q(target_stage=""),
                name="criterion_gate_has_target_stage",
            ),
            models.CheckConstraint(
                condition=~Q(scorecard="challenge") | Q(challenge__isnull=False),
                name="criterion_challenge_has_challenge",
            ),
        ]

    def __str__(self) -> str:
        if self.scorecard == Scorecard.GATE:
            return f"{self.get_target_stage_display()} – {self.label}"
        return f"{self.get_scorecard_display()} – {self.label}"


class ScoreBase(TimeStampedModel):
    """One reviewer's 1-5 score on one criterion; subclasses add what is scored."""

    criterion = models.ForeignKey(
        GateCriterion,
        on_delete=models.PROTECT,
        related_name="%(class)ss",
        verbose_name=_("critère"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="%(class)ss",
        verbose_name=_("évaluateur"),
    )
    score = models.PositiveSmallIntegerField(
        _("note"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("commentaire"), blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.criterion.label}: {self.score}"


class GateReviewQuerySet(models.QuerySet["GateReview"]):
    def pending(self) -> "GateReviewQuerySet":
        return self.filter(status=GateReview.Status.REQUESTED)

    def due_by(self, day) -> "GateReviewQuerySet":
        return self.pending().filter(due_on__lte=day)


# A gate decision in the audit trail: what was decided, by whom, why.
AUDITED_GATE_FIELDS = [
    "status",
    "decision",
    "rationale",
    "conditions",
    "override_justification",
    "decided_by",
    "decided_at",
]


@pghistory.track(
    *before_and_after("status", "decision", "conditions", "override_justification"),
    fields=AUDITED_GATE_FIELDS,
    model_name="GateReviewEvent",
    meta=event_meta(_("historique : revue de passage"), _("historique : revues de passage")),
)
class GateReview(TimeStampedModel):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Demandée")
        DECIDED = "decided", _("Décidée")
        CANCELLED = "cancelled", _("Annulée")

    class Decision(models.TextChoices):
        # A context keeps Django's own French "Go" ("Envoyer", a button) out of the way.
        GO = "go", pgettext_lazy("gate decision", "Go")
        GO_WITH_CONDITIONS = "go_conditions", pgettext_lazy("gate decision", "Go sous conditions")
        RECYCLE = "recycle", _("À retravailler")
        HOLD = "hold", _("Mise en attente")
        STOP = "stop", _("Arrêt")

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="gate_reviews", verbose_name=_("projet")
    )
    from_stage = models.CharField(_("étape de départ"), max_length=20, choices=Stage)
    to_stage = models.CharField(_("étape visée"), max_length=20, choices=Stage)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("demandée par"),
    )
    motivation = models.TextField(_("motivation de la demande"))
    due_on = models.DateField(_("à décider avant le"), null=True, blank=True)
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="gate_reviews_to_score",
        verbose_name=_("évaluateurs"),
    )
    status = models.CharField(_("statut"), max_length=10, choices=Status, default=Status.REQUESTED)
    decision = models.CharField(_("décision"), max_length=15, choices=Decision, blank=True)
    rationale = models.TextField(_("justification"), blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    override_justification = models.TextField(
        _("justification du passage outre"),
        blank=True,
        help_text=_("Pourquoi un « go » a été donné malgré un blocage (un effet grave ouvert…)."),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("décidée par"),
    )
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)

    objects = GateReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("revue de passage")
        verbose_name_plural = _("revues de passage")
        ordering = ["-created_at"]
        constraints = [
            # One open review per project: a second request while one is open is "already done".
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(status="requested"),
                name="gate_review_one_open_per_project",
            ),
            models.CheckConstraint(
                condition=~Q(status="decided") | (~Q(decision="") & ~Q(rationale="")),
                name="gate_review_decided_has_decision_and_rationale",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.project.code}: {self.get_from_stage_display()} → {self.get_to_stage_display()}"
        )

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.REQUESTED


class GateScore(TimeStampedModel):
    review = models.ForeignKey(
        GateReview, on_delete=models.CASCADE, related_name="scores", verbose_name=_("revue")
    )
    criterion = models.ForeignKey(
        GateCriterion, on_delete=models.PROTECT, related_name="scores", verbose_name=_("critère")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="gate_scores",
        verbose_name=_("évaluateur"),
    )
    score = models.PositiveSmallIntegerField(
        _("note"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("commentaire"), blank=True)

    class Meta:
        verbose_name = _("note de revue")
        verbose_name_plural = _("notes de revue")
        ordering = ["review", "criterion__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "criterion", "reviewer"], name="gate_score_one_per_reviewer"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="gate_score_between_1_and_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.label}: {self.score}"


class StatusReport(TimeStampedModel):
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="status_reports", verbose_name=_("projet")
    )
    reported_on = models.DateField(_("date"), default=timezone.localdate)
    health = models.CharField(
        _("santé"), max_length=10, choices=[c for c in Health.choices if c[0] != Health.UNKNOWN]
    )
    summary = models.TextField(_("où en est le projet"))
    next_steps = models.TextField(_("prochaines étapes"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("auteur"),
    )

    class Meta:
        verbose_name = _("point d’étape")
        verbose_name_plural = _("points d’étape")
        ordering = ["-reported_on", "-created_at"]

    def __str__(self) -> str:
        return f"{self.project.code} {self.reported_on:%d/%m/%Y}"


# Age groups of the open blockers and levers (the cockpit's chart, the list's filter): key,
# label, from days, to days (excluded; None: no limit).
LEVER_AGE_GROUPS = (
    ("lt30", _("moins de 30 jours"), 0, 30),
    ("30-90", _("30 à 89 jours"), 30, 90),
    ("90-180", _("90 à 179 jours"), 90, 180),
    ("180+", _("6 mois et plus"), 180, None),
)


def lever_age_q(key: str, today: datetime.date) -> Q:
    """Opened `key` ago (LEVER_AGE_GROUPS) on `today`."""
    _key, _label, low, high = next(group for group in LEVER_AGE_GROUPS if group[0] == key)
    q = Q(opened_on__lte=today - datetime.timedelta(days=low))
    if high is not None:
        q &= Q(opened_on__gt=today - datetime.timedelta(days=high))
    return q


class LeverQuerySet(models.QuerySet["BlockerLever"]):
    def open(self) -> "LeverQuerySet":
        return self.filter(status=BlockerLever.Status.OPEN)

    def escalated(self) -> "LeverQuerySet":
        """Open, and waiting for the direction's arbitration."""
        return self.open().filter(escalated_on__isnull=False)


class BlockerLever(TimeStampedModel):
    """A blocker to lift (frein) or a lever to pull (levier), tracked until dealt with."""

    class Kind(models.TextChoices):
        BLOCKER = "blocker", _("Frein")
        LEVER = "lever", _("Levier")

    class Status(models.TextChoices):
        OPEN = "open", _("Ouvert")
        LIFTED = "lifted", _("Levé")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="levers", verbose_name=_("projet")
    )
    kind = models.CharField(_("type"), max_length=10, choices=Kind)
    text = models.TextField(_("description"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsable"),
    )
    status = models.CharField(_("statut"), max_length=10, choices=Status, default=Status.OPEN)
    opened_on = models.DateField(_("ouvert le"), default=timezone.localdate)
    lifted_on = models.DateField(_("levé le"), null=True, blank=True)
    # "À arbitrer par la direction": the project's team (or the lab) asks the director to
    # arbitrate; the cockpit lists these first.
    escalated_on = models.DateField(_("soumis à la direction le"), null=True, blank=True)
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("soumis à la direction par"),
    )
    # A lever the director pulls (or a blocker she arbitrates) is closed with who and when.
    pulled_on = models.DateField(_("actionné par la direction le"), null=True, blank=True)
    pulled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actionné par"),
    )

    objects = LeverQuerySet.as_manager()

    class Meta:
        verbose_name = _("frein ou levier")
        verbose_name_plural = _("freins et leviers")
        ordering = ["status", "-opened_on"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} : {self.text[:60]}"


class ProjectEvent(TimeStampedModel):
    class Kind(models.TextChoices):
        LAUNCH = "launch", _("Lancement")
        FIRST_DEPLOYMENT = "first_deployment", _("Premier déploiement")
        PRIZE = "prize", _("Prix ou distinction")
        MILESTONE = "milestone", _("Jalon")
        OTHER = "other", _("Autre")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="events", verbose_name=_("projet")
    )
    occurred_on = models.DateField(_("date"))
    kind = models.CharField(_("type"), max_length=20, choices=Kind, default=Kind.MILESTONE)
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("événements")
        ordering = ["-occurred_on"]

    def __str__(self) -> str:
        return self.title


class Prototype(TimeStampedModel):
    class Kind(models.TextChoices):
        PAPER = "paper", _("Maquette papier")
        MOCKUP = "mockup", _("Maquette numérique")
        CLICKABLE = "clickable", _("Prototype cliquable")
        SERVICE = "service", _("Service pilote")
        OTHER = "other", _("Autre")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="prototypes", verbose_name=_("projet")
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind)
    version = models.CharField(_("version"), max_length=20, default="1")
    tested_on = models.DateField(_("testé le"), null=True, blank=True)
    users_tested = models.PositiveIntegerField(_("usagers ayant testé"), default=0)
    user_tests = models.TextField(_("tests utilisateurs menés"), blank=True)
    findings = models.TextField(_("enseignements"), blank=True)

    class Meta:
        verbose_name = _("prototype")
        verbose_name_plural = _("prototypes")
        ordering = ["project", "-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"


class Experiment(TimeStampedModel):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Prévue")
        RUNNING = "running", _("En cours")
        CLOSED = "closed", _("Terminée")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="experiments", verbose_name=_("projet")
    )
    title = models.CharField(_("intitulé"), max_length=200)
    cafs = models.ManyToManyField(
        Caf, blank=True, related_name="experiments", verbose_name=_("Caf")
    )
    protocol = models.TextField(_("protocole"), blank=True)
    starts_on = models.DateField(_("début"), null=True, blank=True)
    ends_on = models.DateField(_("fin"), null=True, blank=True)
    status = models.CharField(_("statut"), max_length=10, choices=Status, default=Status.PLANNED)
    population_reached = models.PositiveIntegerField(_("population touchée"), default=0)

    class Meta:
        verbose_name = _("expérimentation")
        verbose_name_plural = _("expérimentations")
        ordering = ["project", "-starts_on"]

    def __str__(self) -> str:
        return self.title


class DeploymentQuerySet(models.QuerySet["Deployment"]):
    def live(self) -> "DeploymentQuerySet":
        return self.exclude(status__in=[Deployment.Status.DECLINED, Deployment.Status.STOPPED])


class Deployment(TimeStampedModel):
    """Essaimage: one project in one Caf."""

    class Status(models.TextChoices):
        INTERESTED = "interested", _("Intéressée")
        PREPARING = "preparing", _("En préparation")
        RUNNING = "running", _("En fonctionnement")
        SUSTAINED = "sustained", _("Pérennisé")
        DECLINED = "declined", _("Renoncement")
        STOPPED = "stopped", _("Arrêté")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="deployments", verbose_name=_("projet")
    )
    caf = models.ForeignKey(
        Caf, on_delete=models.PROTECT, related_name="deployments", verbose_name=_("Caf")
    )
    status = models.CharField(_("statut"), max_length=12, choices=Status, default=Status.INTERESTED)
    status_changed_at = models.DateTimeField(_("statut depuis"), default=timezone.now)
    comment = models.TextField(_("commentaire de la Caf"), blank=True)
    reason = models.TextField(_("motif du renoncement ou de l’arrêt"), blank=True)
    local_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="local_deployments",
        verbose_name=_("référent local"),
    )
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("déclaré par"),
    )

    objects = DeploymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("déploiement")
        verbose_name_plural = _("déploiements")
        ordering = ["project", "caf__position"]
        constraints = [
            models.UniqueConstraint(fields=["project", "caf"], name="deployment_one_per_caf"),
            models.CheckConstraint(
                condition=~Q(status__in=["declined", "stopped"]) | ~Q(reason=""),
                name="deployment_declined_or_stopped_has_reason",
                violation_error_message=_("Un renoncement ou un arrêt doit être motivé."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} – {self.caf}"


class DeploymentChange(StatusHistory, models.Model):
    """Status history of a deployment, for the adoption curve."""

    subject_field, reason_field = "deployment", None

    deployment = models.ForeignKey(
        Deployment, on_delete=models.PROTECT, related_name="changes", verbose_name=_("déploiement")
    )
    from_status = models.CharField(_("de"), max_length=12, choices=Deployment.Status, blank=True)
    to_status = models.CharField(_("vers"), max_length=12, choices=Deployment.Status)
    changed_at = models.DateTimeField(_("le"), default=timezone.now, db_index=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
    )

    class Meta:
        verbose_name = _("changement de statut de déploiement")
        verbose_name_plural = _("changements de statut de déploiement")
        ordering = ["deployment", "changed_at"]

    def __str__(self) -> str:
        return f"{self.deployment}: {self.from_status or '∅'} → {self.to_status}"


class Adaptation(TimeStampedModel):
    """What a Caf changed to the model when deploying it, and whether it stays faithful."""

    class Kind(models.TextChoices):
        PLANNED = "planned", _("Prévue")
        REACTIVE = "reactive", _("Réactive")

    deployment = models.ForeignKey(
        Deployment,
        on_delete=models.CASCADE,
        related_name="adaptations",
        verbose_name=_("déploiement"),
    )
    made_on = models.DateField(_("date"), default=timezone.localdate)
    what = models.TextField(_("ce qui a été changé"))
    why = models.TextField(_("pourquoi"))
    kind = models.CharField(_("nature"), max_length=10, choices=Kind, default=Kind.PLANNED)
    is_faithful = models.BooleanField(_("fidèle au modèle"), default=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("auteur"),
    )

    class Meta:
        verbose_name = _("adaptation")
        verbose_name_plural = _("adaptations")
        ordering = ["deployment", "-made_on"]

    def __str__(self) -> str:
        return self.what[:60]
