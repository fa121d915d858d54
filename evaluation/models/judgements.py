"""The evaluators' judgements per criterion, and the ecological-transition assessment."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from caflab.core.models import TimeStampedModel
from evaluation.models.plans import Criterion


class Judgement(TimeStampedModel):
    """A rating of the project on one evaluative criterion, argued and linked to evidence."""

    class Rating(models.IntegerChoices):
        INSUFFICIENT = 1, _("Insuffisant")
        PARTIAL = 2, _("Partiellement satisfaisant")
        SATISFACTORY = 3, _("Satisfaisant")
        VERY_SATISFACTORY = 4, _("Très satisfaisant")

    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        related_name="judgements",
        verbose_name=_("projet"),
    )
    criterion = models.CharField(_("critère"), max_length=20, choices=Criterion)
    rating = models.PositiveSmallIntegerField(_("appréciation"), choices=Rating)
    rationale = models.TextField(_("argumentation"))
    evidence = models.TextField(_("autres éléments de preuve"), blank=True)
    indicators = models.ManyToManyField(
        "evaluation.Indicator",
        blank=True,
        related_name="judgements",
        verbose_name=_("indicateurs à l’appui"),
    )
    testimonies = models.ManyToManyField(
        "evaluation.Testimony",
        blank=True,
        related_name="judgements",
        verbose_name=_("témoignages à l’appui"),
    )
    surveys = models.ManyToManyField(
        "evaluation.Survey",
        blank=True,
        related_name="judgements",
        verbose_name=_("enquêtes à l’appui"),
    )
    judged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("évaluateur"),
    )

    class Meta:
        verbose_name = _("jugement évaluatif")
        verbose_name_plural = _("jugements évaluatifs")
        ordering = ["project", "criterion"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "criterion"], name="judgement_one_per_criterion"
            ),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=4), name="judgement_rating_1_4"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} – {self.get_criterion_display()}"


class EcologicalRating(TimeStampedModel):
    """The ecological-transition assessment: one rating per objective of the green budget
    typology (six environmental objectives) plus social cohesion."""

    class Objective(models.TextChoices):
        CLIMATE_MITIGATION = "climate_mitigation", _("Atténuation du changement climatique")
        CLIMATE_ADAPTATION = "climate_adaptation", _("Adaptation au changement climatique")
        WATER = "water", _("Gestion de la ressource en eau")
        CIRCULAR_ECONOMY = "circular_economy", _("Économie circulaire, déchets")
        POLLUTION = "pollution", _("Prévention des pollutions")
        BIODIVERSITY = "biodiversity", _("Biodiversité")
        SOCIAL_COHESION = "social_cohesion", _("Cohésion sociale")

    class Rating(models.IntegerChoices):
        NEGATIVE = -1, _("Défavorable")
        NEUTRAL = 0, _("Neutre")
        POSITIVE = 1, _("Favorable")

    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        related_name="ecological_ratings",
        verbose_name=_("projet"),
    )
    objective = models.CharField(_("objectif"), max_length=20, choices=Objective)
    rating = models.SmallIntegerField(_("appréciation"), choices=Rating)
    justification = models.TextField(_("justification"))
    # What limits a negative effect on this objective: a negative rating without one needs a
    # written justification for a "go" at a gate review (evaluation.services.ecological).
    mitigation = models.TextField(
        _("mesures d’atténuation"),
        blank=True,
        help_text=_(
            "Pour une appréciation défavorable : ce qui est prévu pour en limiter l’effet."
        ),
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("évalué par"),
    )

    class Meta:
        verbose_name = _("appréciation écologique")
        verbose_name_plural = _("évaluation de la transition écologique")
        ordering = ["project", "objective"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "objective"], name="ecological_rating_one_per_objective"
            ),
            models.CheckConstraint(
                condition=models.Q(rating__gte=-1, rating__lte=1),
                name="ecological_rating_minus1_to_1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} – {self.get_objective_display()}"
