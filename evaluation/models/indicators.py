"""Indicators with their baseline and targets, and the measurements made per period and Caf."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from caflab.core.models import TimeStampedModel


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Mensuelle")
    QUARTERLY = "quarterly", _("Trimestrielle")
    HALF_YEARLY = "half_yearly", _("Semestrielle")
    YEARLY = "yearly", _("Annuelle")


class IndicatorQuerySet(models.QuerySet["Indicator"]):
    def visible_to(self, user) -> "IndicatorQuerySet":
        from projects.models import Project

        if not user.is_authenticated or user.is_citizen:
            return self.none()
        return self.filter(project__in=Project.objects.visible_to(user).values("pk"))


class Indicator(TimeStampedModel):
    class Direction(models.TextChoices):
        HIGHER = "higher", _("Plus c’est haut, mieux c’est")
        LOWER = "lower", _("Plus c’est bas, mieux c’est")

    class Category(models.TextChoices):
        USERS = "users", _("Situation des usagers")
        SERVICE = "service", _("Qualité de service")
        AGENTS = "agents", _("Travail des agents")
        ECONOMIC = "economic", _("Économique")
        ENVIRONMENTAL = "environmental", _("Environnemental")

    class Effect(models.TextChoices):
        POSITIVE = "positive", _("Effet positif attendu")
        NEGATIVE = "negative", _("Effet négatif attendu")
        UNEXPECTED = "unexpected", _("Effet inattendu")

    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.CASCADE,
        related_name="indicators",
        verbose_name=_("projet"),
    )
    name = models.CharField(_("nom"), max_length=200)
    definition = models.TextField(_("définition et mode de calcul"))
    unit = models.CharField(_("unité"), max_length=40, help_text=_("%, jours, euros, dossiers…"))
    direction = models.CharField(
        _("sens souhaité"), max_length=10, choices=Direction, default=Direction.HIGHER
    )
    category = models.CharField(_("catégorie"), max_length=15, choices=Category)
    effect = models.CharField(_("effet"), max_length=10, choices=Effect, default=Effect.POSITIVE)
    baseline_value = models.DecimalField(
        _("valeur de référence"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    baseline_date = models.DateField(_("date de la référence"), null=True, blank=True)
    baseline_source = models.CharField(_("source de la référence"), max_length=200, blank=True)
    collection_method = models.CharField(_("mode de collecte"), max_length=300, blank=True)
    frequency = models.CharField(
        _("fréquence de mesure"), max_length=12, choices=Frequency, default=Frequency.QUARTERLY
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_indicators",
        verbose_name=_("responsable de la mesure"),
    )
    question = models.ForeignKey(
        "evaluation.EvaluativeQuestion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("question évaluative"),
    )
    position = models.PositiveIntegerField(_("ordre"), default=0)
    # Kept by PostgreSQL (a statement trigger on the measurements, migration 0006): the
    # evaluation home reads them instead of counting 72,000 measurements per view.
    measurement_count = models.PositiveIntegerField(_("mesures"), default=0, editable=False)
    last_measured_period = models.DateField(
        _("dernière période mesurée"), null=True, blank=True, editable=False
    )

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicateur")
        verbose_name_plural = _("indicateurs")
        ordering = ["project", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="indicator_unique_name"),
            models.CheckConstraint(
                condition=Q(baseline_value__isnull=True) | Q(baseline_date__isnull=False),
                name="indicator_baseline_has_date",
                violation_error_message=_("Une valeur de référence doit être datée."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"


class IndicatorTarget(TimeStampedModel):
    """The value aimed at by the end of a period (the period is named by its first day)."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="targets", verbose_name=_("indicateur")
    )
    period = models.DateField(_("période (premier jour)"))
    value = models.DecimalField(_("cible"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("cible")
        verbose_name_plural = _("cibles")
        ordering = ["indicator", "period"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period"], name="target_one_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.indicator.name} {self.period:%Y-%m}: {self.value}"


class Measurement(TimeStampedModel):
    """One value for one period, national (no Caf) or for one Caf."""

    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        related_name="measurements",
        verbose_name=_("indicateur"),
    )
    caf = models.ForeignKey(
        "network.Caf",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measurements",
        verbose_name=_("Caf"),
        help_text=_("Vide : valeur nationale ou du projet dans son ensemble."),
    )
    period = models.DateField(_("période (premier jour)"))
    value = models.DecimalField(_("valeur"), max_digits=14, decimal_places=2)
    source = models.CharField(_("source"), max_length=200)
    evidence = models.TextField(_("preuve, commentaire"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saisie par"),
    )

    class Meta:
        verbose_name = _("mesure")
        verbose_name_plural = _("mesures")
        ordering = ["indicator", "period", "caf__position"]
        constraints = [
            # One value per indicator, period and Caf; the national value is the one without Caf.
            models.UniqueConstraint(
                fields=["indicator", "caf", "period"],
                condition=Q(caf__isnull=False),
                name="measurement_one_per_caf_period",
            ),
            models.UniqueConstraint(
                fields=["indicator", "period"],
                condition=Q(caf__isnull=True),
                name="measurement_one_national_per_period",
            ),
        ]
        indexes = [models.Index(fields=["indicator", "period"])]

    def __str__(self) -> str:
        where = self.caf.code if self.caf_id else "national"
        return f"{self.indicator.name} {self.period:%Y-%m} {where}: {self.value}"


class MeasurementReminder(models.Model):
    """Records that the owner was reminded of a due measurement (keeps the task idempotent)."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("indicateur")
    )
    period = models.DateField(_("période"))
    sent_at = models.DateTimeField(_("envoyé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("rappel de mesure")
        verbose_name_plural = _("rappels de mesure")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period"], name="measurement_reminder_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator.name} {self.period:%Y-%m}"
