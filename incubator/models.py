"""The incubator with ESS partners: calls for projects (appels à projets), the applications of
Caf agents and partner organisations, the jury's weighted scores, the lab's decisions, and the
cohorts the selected projects join with their calendar of milestones.

A call's application form is an écoute questionnaire (the consultation behind it is reserved
to nobody: `ecoute.reserved`, registered in `IncubatorConfig.ready`), built with écoute's
builder; the answers are stored on the application, tied to its applicant, never as an
anonymous écoute response. Nothing people wrote is cascade-deleted (PROTECT).
"""

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caflab.core.models import TimeStampedModel
from caflab.network.models import Partner
from ecoute.models import Consultation
from events.models import Event
from projects.models import Project

if TYPE_CHECKING:
    from caflab.accounts.models import User


class CallQuerySet(models.QuerySet["Call"]):
    def visible_to(self, user: "User") -> "CallQuerySet":
        """The lab sees every call; its jury sees it at every status but draft; network members
        and partners see the published calls of their audience."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        if user.is_lab_staff:
            return self
        audiences = []
        if user.is_network_member:
            audiences = [Call.Audience.AGENTS, Call.Audience.BOTH]
        elif user.is_partner:
            audiences = [Call.Audience.PARTNERS, Call.Audience.BOTH]
        on_jury = Call.jury.through.objects.filter(call=OuterRef("pk"), user=user)
        return self.exclude(status=Call.Status.DRAFT).filter(
            Q(audience__in=audiences) | Q(Exists(on_jury))
        )

    def accepting(self, today: datetime.date | None = None) -> "CallQuerySet":
        """Open to applications today."""
        today = today or timezone.localdate()
        return self.filter(status=Call.Status.OPEN, opens_on__lte=today, closes_on__gte=today)


class Call(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        OPEN = "open", _("Ouvert aux candidatures")
        CLOSED = "closed", _("Clos, en sélection")
        DECIDED = "decided", _("Décisions rendues")

    class Audience(models.TextChoices):
        AGENTS = "agents", _("Agents des Caf")
        PARTNERS = "partners", _("Organisations partenaires")
        BOTH = "both", _("Agents et organisations partenaires")

    title = models.CharField(_("titre"), max_length=200)
    slug = models.SlugField(_("adresse"), max_length=80, unique=True)
    brief = models.TextField(_("présentation de l’appel"))
    eligibility = models.TextField(_("conditions d’éligibilité"))
    opens_on = models.DateField(_("ouverture des candidatures"))
    closes_on = models.DateField(_("clôture des candidatures"))
    status = models.CharField(_("statut"), max_length=10, choices=Status, default=Status.DRAFT)
    audience = models.CharField(_("public"), max_length=10, choices=Audience, default=Audience.BOTH)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="incubator_calls",
        verbose_name=_("responsable au lab"),
    )
    # The application form: the questionnaire of a consultation reserved to nobody.
    consultation = models.OneToOneField(
        Consultation,
        on_delete=models.PROTECT,
        related_name="incubator_call",
        verbose_name=_("formulaire de candidature"),
    )
    jury = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="incubator_juries",
        verbose_name=_("jury"),
    )

    objects = CallQuerySet.as_manager()

    class Meta:
        verbose_name = _("appel à projets")
        verbose_name_plural = _("appels à projets")
        ordering = ["-opens_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")),
                name="incubator_call_closes_after_opening",
                violation_error_message=_("La clôture suit l’ouverture."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("incubator:call", kwargs={"slug": self.slug})

    def is_accepting(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.status == self.Status.OPEN and self.opens_on <= today <= self.closes_on

    def admits(self, user: "User") -> bool:
        """Whether `user` belongs to the call's audience (may apply)."""
        if not (user.is_authenticated and user.is_active) or user.is_lab_staff:
            return False
        if user.is_network_member:
            return self.audience in (self.Audience.AGENTS, self.Audience.BOTH)
        if user.is_partner and user.partner_id:
            return self.audience in (self.Audience.PARTNERS, self.Audience.BOTH)
        return False


class CallCriterion(TimeStampedModel):
    """One criterion of a call's jury scorecard, weighted (the gate reviews' weighted mean,
    `projects.scoring`)."""

    call = models.ForeignKey(
        Call, on_delete=models.PROTECT, related_name="criteria", verbose_name=_("appel")
    )
    label = models.CharField(_("critère"), max_length=200)
    description = models.TextField(_("ce que le jury regarde"), blank=True)
    weight = models.PositiveSmallIntegerField(_("poids"), default=1)
    is_blocking = models.BooleanField(_("bloquant"), default=False)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("critère d’un appel")
        verbose_name_plural = _("critères des appels")
        ordering = ["call", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["call", "label"], name="incubator_criterion_unique"),
            models.CheckConstraint(condition=Q(weight__gte=1), name="incubator_criterion_weight"),
        ]

    def __str__(self) -> str:
        return self.label


class ApplicationQuerySet(models.QuerySet["Application"]):
    def submitted(self) -> "ApplicationQuerySet":
        return self.filter(status=Application.Status.SUBMITTED)

    def visible_to(self, user: "User") -> "ApplicationQuerySet":
        """The lab sees every application; an applicant their own; a jury member the submitted
        applications of their calls. Anyone else: 404."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        if user.is_lab_staff:
            return self
        juries = Call.jury.through.objects.filter(user=user).values("call")
        return self.filter(
            Q(applicant=user) | Q(call__in=juries, status=Application.Status.SUBMITTED)
        )


class Application(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        SUBMITTED = "submitted", _("Déposée")

    class Decision(models.TextChoices):
        SELECTED = "selected", _("Retenue")
        NOT_SELECTED = "not_selected", _("Non retenue")

    call = models.ForeignKey(
        Call, on_delete=models.PROTECT, related_name="applications", verbose_name=_("appel")
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="incubator_applications",
        verbose_name=_("candidat(e)"),
    )
    # The applicant's organisation when they applied as a partner.
    partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incubator_applications",
        verbose_name=_("organisation partenaire"),
    )
    title = models.CharField(_("titre du projet"), max_length=200)
    summary = models.TextField(_("résumé du projet"))
    # The questionnaire's answers, {question id: AnswerValue as JSON} (ecoute.conditions).
    answers = models.JSONField(_("réponses au formulaire"), default=dict, blank=True)
    status = models.CharField(_("statut"), max_length=10, choices=Status, default=Status.DRAFT)
    submitted_at = models.DateTimeField(_("déposée le"), null=True, blank=True)
    decision = models.CharField(_("décision"), max_length=15, choices=Decision, blank=True)
    decision_reason = models.TextField(_("motifs de la décision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("décidée par"),
    )
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    decision_notified_at = models.DateTimeField(
        _("candidat(e) prévenu(e) le"), null=True, blank=True
    )
    project = models.OneToOneField(
        Project,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incubator_application",
        verbose_name=_("projet incubé"),
    )
    cohort = models.ForeignKey(
        "Cohort",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("promotion"),
    )

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("candidature")
        verbose_name_plural = _("candidatures")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "applicant"], name="incubator_one_application_per_person"
            ),
            models.CheckConstraint(
                condition=Q(decision="") | Q(status="submitted"),
                name="incubator_decision_on_submitted",
            ),
        ]
        indexes = [models.Index(fields=["call", "status"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("incubator:application", kwargs={"pk": self.pk})

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class ApplicationScore(TimeStampedModel):
    """A jury member's 1-5 score of an application on one of the call's criteria."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="scores", verbose_name=_("candidature")
    )
    criterion = models.ForeignKey(
        CallCriterion, on_delete=models.PROTECT, related_name="scores", verbose_name=_("critère")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="incubator_scores",
        verbose_name=_("membre du jury"),
    )
    score = models.PositiveSmallIntegerField(_("note"))
    comment = models.TextField(_("commentaire"), blank=True)

    class Meta:
        verbose_name = _("note du jury d’un appel")
        verbose_name_plural = _("notes du jury des appels")
        ordering = ["application", "criterion__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "criterion", "reviewer"],
                name="incubator_score_one_per_juror",
            ),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="incubator_score_between_1_and_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.label}: {self.score}"


class CohortQuerySet(models.QuerySet["Cohort"]):
    def visible_to(self, user: "User") -> "CohortQuerySet":
        """The lab; the jury of its call; its members: the applicants of its projects, the
        teams of its projects and the people of their partner organisations."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        if user.is_lab_staff:
            return self
        juries = Call.jury.through.objects.filter(user=user).values("call")
        return self.filter(Q(call__in=juries) | Q(pk__in=member_cohorts(user)))


def member_cohorts(user: "User") -> models.QuerySet:
    """The ids of the cohorts `user` is a member of (a values query, for a subquery)."""
    from projects.models import TeamMember

    mine = Q(applicant=user) | Q(project__in=TeamMember.objects.filter(user=user).values("project"))
    if user.is_partner and user.partner_id:
        mine |= Q(partner=user.partner_id)
    return Application.objects.filter(mine, cohort__isnull=False).values("cohort")


class Cohort(TimeStampedModel):
    call = models.ForeignKey(
        Call, on_delete=models.PROTECT, related_name="cohorts", verbose_name=_("appel")
    )
    title = models.CharField(_("nom de la promotion"), max_length=200)
    description = models.TextField(_("présentation"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créée par"),
    )

    objects = CohortQuerySet.as_manager()

    class Meta:
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("incubator:cohort", kwargs={"pk": self.pk})


class Milestone(TimeStampedModel):
    class Kind(models.TextChoices):
        KICK_OFF = "kick_off", _("Lancement")
        MID_TERM = "mid_term", _("Point à mi-parcours")
        DEMO_DAY = "demo_day", _("Demo day")
        MENTORING = "mentoring", _("Séance de mentorat")

    cohort = models.ForeignKey(
        Cohort, on_delete=models.PROTECT, related_name="milestones", verbose_name=_("promotion")
    )
    kind = models.CharField(_("type"), max_length=10, choices=Kind)
    title = models.CharField(_("intitulé"), max_length=200)
    on = models.DateField(_("date"))
    event = models.ForeignKey(
        Event,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incubator_milestones",
        verbose_name=_("événement"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ajouté par"),
    )

    class Meta:
        verbose_name = _("jalon de promotion")
        verbose_name_plural = _("jalons de promotion")
        ordering = ["cohort", "on", "pk"]

    def __str__(self) -> str:
        return f"{self.on:%d/%m/%Y} {self.title}"
