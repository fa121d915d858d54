"""What stakeholders say: surveys in waves (built with écoute's questionnaire engine),
testimonies, and the register of negative and unexpected effects."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caflab.core.models import TimeStampedModel
from caflab.core.workflow import StatusHistory


class Survey(TimeStampedModel):
    """A stakeholder survey. Its one questionnaire is answered in several waves, so every wave
    asks exactly the same questions and waves compare question by question."""

    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.CASCADE,
        related_name="surveys",
        verbose_name=_("projet"),
    )
    title = models.CharField(_("titre"), max_length=200)
    stakeholder_group = models.ForeignKey(
        "evaluation.StakeholderGroup",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="surveys",
        verbose_name=_("partie prenante"),
    )
    questionnaire = models.OneToOneField(
        "ecoute.Questionnaire",
        on_delete=models.PROTECT,
        related_name="evaluation_survey",
        verbose_name=_("questionnaire"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créée par"),
    )

    class Meta:
        verbose_name = _("enquête auprès des parties prenantes")
        verbose_name_plural = _("enquêtes auprès des parties prenantes")
        ordering = ["project", "-created_at"]

    def __str__(self) -> str:
        return self.title


class SurveyWave(TimeStampedModel):
    class Kind(models.TextChoices):
        BEFORE = "before", _("Avant")
        AFTER = "after", _("Après")
        FOLLOW_UP = "follow_up", _("Suivi")

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="waves", verbose_name=_("enquête")
    )
    kind = models.CharField(_("vague"), max_length=10, choices=Kind)
    label = models.CharField(_("libellé"), max_length=120, blank=True)
    opens_on = models.DateField(_("ouverture"))
    closes_on = models.DateField(_("clôture"))
    position = models.PositiveIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("vague d’enquête")
        verbose_name_plural = _("vagues d’enquête")
        # pk last: waves of equal position and date keep their creation order (without it,
        # PostgreSQL returns ties in whatever order the heap holds them after an update).
        ordering = ["survey", "position", "opens_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")),
                name="survey_wave_dates_in_order",
                violation_error_message=_("La clôture doit suivre l’ouverture."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey.title} – {self.label or self.get_kind_display()}"

    @property
    def is_open(self) -> bool:
        today = timezone.localdate()
        return self.opens_on <= today <= self.closes_on


class SurveyInvitation(TimeStampedModel):
    """A single-use invitation. Only a keyed hash of the token is kept; the e-mail address is
    erased once the invitation is used or the wave is over, and no link is kept from the
    invitation to the answer it gave."""

    wave = models.ForeignKey(
        SurveyWave, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("vague")
    )
    email = models.EmailField(_("adresse"), blank=True)
    token_hash = models.CharField(_("empreinte du jeton"), max_length=64, unique=True)
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    used_at = models.DateTimeField(_("utilisée le"), null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invitée par"),
    )

    class Meta:
        verbose_name = _("invitation à une enquête")
        verbose_name_plural = _("invitations à une enquête")
        ordering = ["wave", "-created_at"]

    def __str__(self) -> str:
        return f"{self.wave} – {self.email or _('adresse effacée')}"


class SurveyWaveResponse(models.Model):
    """Which wave an answer belongs to (never who gave it)."""

    wave = models.ForeignKey(
        SurveyWave, on_delete=models.PROTECT, related_name="response_links", verbose_name=_("vague")
    )
    response = models.OneToOneField(
        "ecoute.Response",
        on_delete=models.CASCADE,
        related_name="wave_link",
        verbose_name=_("réponse"),
    )

    class Meta:
        verbose_name = _("réponse d’une vague")
        verbose_name_plural = _("réponses des vagues")

    def __str__(self) -> str:
        return str(self.wave)


class TestimonyQuerySet(models.QuerySet["Testimony"]):
    def quotable(self) -> "TestimonyQuerySet":
        """Only testimonies whose author agreed to be quoted may ever appear in a report."""
        return self.filter(consent_to_quote=True)


class Testimony(TimeStampedModel):
    class Tone(models.TextChoices):
        POSITIVE = "positive", _("Positif")
        NEGATIVE = "negative", _("Négatif")
        MIXED = "mixed", _("Mitigé")

    __test__ = False  # a model, not a test class (its name starts with "Test")

    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        related_name="testimonies",
        verbose_name=_("projet"),
    )
    stakeholder_group = models.ForeignKey(
        "evaluation.StakeholderGroup",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="testimonies",
        verbose_name=_("partie prenante"),
    )
    caf = models.ForeignKey(
        "network.Caf",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="testimonies",
        verbose_name=_("Caf"),
    )
    text = models.TextField(_("témoignage"))
    tone = models.CharField(_("tonalité"), max_length=10, choices=Tone)
    consent_to_quote = models.BooleanField(
        _("accord pour être cité"),
        default=False,
        help_text=_("Sans cet accord, le témoignage n’apparaît dans aucun rapport."),
    )
    collected_on = models.DateField(_("recueilli le"), default=timezone.localdate)
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recueilli par"),
    )

    objects = TestimonyQuerySet.as_manager()

    class Meta:
        verbose_name = _("témoignage")
        verbose_name_plural = _("témoignages")
        ordering = ["project", "-collected_on"]

    def __str__(self) -> str:
        return self.text[:60]


class EffectQuerySet(models.QuerySet["Effect"]):
    def unresolved(self) -> "EffectQuerySet":
        return self.filter(status__in=[Effect.Status.OPEN, Effect.Status.MITIGATING])

    def blocking(self) -> "EffectQuerySet":
        """Severe negative effects still open: they block a "go" at the next gate review."""
        return self.filter(
            status=Effect.Status.OPEN,
            severity=Effect.Severity.SEVERE,
            nature__in=[Effect.Nature.NEGATIVE, Effect.Nature.UNEXPECTED_NEGATIVE],
        )


class Effect(TimeStampedModel):
    """The register of negative and unexpected effects."""

    class Nature(models.TextChoices):
        NEGATIVE = "negative", _("Négatif attendu")
        UNEXPECTED_NEGATIVE = "unexpected_negative", _("Négatif inattendu")
        UNEXPECTED_POSITIVE = "unexpected_positive", _("Positif inattendu")

    class Severity(models.IntegerChoices):
        MINOR = 1, _("Mineure")
        MODERATE = 2, _("Modérée")
        MAJOR = 3, _("Importante")
        SEVERE = 4, _("Grave")

    class Likelihood(models.IntegerChoices):
        RARE = 1, _("Rare")
        POSSIBLE = 2, _("Possible")
        LIKELY = 3, _("Probable")
        CERTAIN = 4, _("Avéré")

    class Status(models.TextChoices):
        OPEN = "open", _("Ouvert")
        MITIGATING = "mitigating", _("En cours d’atténuation")
        RESOLVED = "resolved", _("Résolu")
        ACCEPTED = "accepted", _("Accepté")

    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        related_name="effects",
        verbose_name=_("projet"),
    )
    nature = models.CharField(_("nature"), max_length=20, choices=Nature, default=Nature.NEGATIVE)
    description = models.TextField(_("description"))
    affected = models.CharField(_("qui est concerné"), max_length=300)
    severity = models.PositiveSmallIntegerField(_("gravité"), choices=Severity)
    likelihood = models.PositiveSmallIntegerField(_("probabilité"), choices=Likelihood)
    mitigation = models.TextField(_("mesures d’atténuation"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_effects",
        verbose_name=_("responsable"),
    )
    caf = models.ForeignKey(
        "network.Caf",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="effects",
        verbose_name=_("Caf où il est observé"),
    )
    status = models.CharField(_("statut"), max_length=12, choices=Status, default=Status.OPEN)
    status_changed_at = models.DateTimeField(_("statut depuis"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signalé par"),
    )

    objects = EffectQuerySet.as_manager()

    class Meta:
        verbose_name = _("effet négatif ou inattendu")
        verbose_name_plural = _("registre des effets")
        ordering = ["project", "status", "-severity", "-created_at"]
        indexes = [models.Index(fields=["project", "status", "severity"])]

    def __str__(self) -> str:
        return self.description[:60]

    # Which statuses each status may move to (a closed effect may be reopened).
    TRANSITIONS = {
        "open": ("mitigating", "resolved", "accepted"),
        "mitigating": ("open", "resolved", "accepted"),
        "resolved": ("open",),
        "accepted": ("open",),
    }

    @property
    def next_statuses(self) -> list[tuple[str, str]]:
        labels = dict(self.Status.choices)
        return [(s, labels[s]) for s in self.TRANSITIONS.get(self.status, ())]

    @property
    def is_negative(self) -> bool:
        return self.nature != self.Nature.UNEXPECTED_POSITIVE

    @property
    def is_blocking(self) -> bool:
        return (
            self.status == self.Status.OPEN
            and self.severity == self.Severity.SEVERE
            and self.nature != self.Nature.UNEXPECTED_POSITIVE
        )


class EffectChange(StatusHistory, models.Model):
    """Status history of an effect."""

    subject_field = "effect"

    effect = models.ForeignKey(
        Effect, on_delete=models.PROTECT, related_name="changes", verbose_name=_("effet")
    )
    from_status = models.CharField(_("de"), max_length=12, choices=Effect.Status, blank=True)
    to_status = models.CharField(_("vers"), max_length=12, choices=Effect.Status)
    comment = models.TextField(_("commentaire"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
    )
    changed_at = models.DateTimeField(_("le"), default=timezone.now)

    class Meta:
        verbose_name = _("changement de statut d’un effet")
        verbose_name_plural = _("changements de statut des effets")
        ordering = ["effect", "changed_at"]

    def __str__(self) -> str:
        return f"{self.effect_id}: {self.from_status} → {self.to_status}"
