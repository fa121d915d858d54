"""The questionnaire engine: a questionnaire, its sections, questions and options.

A questionnaire belongs to an owner: a consultation today; the evaluation app adds its own
nullable owner (a survey wave) and the engine stays the same. Nothing here reads the owner:
answering, results and exports are functions of a questionnaire.

Once answers exist, a question keeps its meaning (its kind, its options, its scale): it can be
hidden, and new questions or options added, so that results and exports stay consistent. The
builder services enforce it (`ecoute.services.builder`).
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from caflab.core.models import TimeStampedModel


class Questionnaire(TimeStampedModel):
    consultation = models.OneToOneField(
        "ecoute.Consultation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="questionnaire",
        verbose_name=_("consultation"),
    )
    title = models.CharField(_("titre"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class Section(TimeStampedModel):
    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.CASCADE,
        related_name="sections",
        verbose_name=_("questionnaire"),
    )
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(_("ordre"), default=0)
    is_hidden = models.BooleanField(_("masquée"), default=False)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class Question(TimeStampedModel):
    class Kind(models.TextChoices):
        SHORT_TEXT = "short_text", _("Texte court")
        LONG_TEXT = "long_text", _("Texte long")
        SINGLE_CHOICE = "single_choice", _("Choix unique")
        MULTIPLE_CHOICE = "multiple_choice", _("Choix multiple")
        SCALE = "scale", _("Échelle")
        RANKING = "ranking", _("Classement")
        NUMBER = "number", _("Nombre")
        DATE = "date", _("Date")
        CONSENT = "consent", _("Consentement")

    class Display(models.TextChoices):
        BUTTONS = "buttons", _("Boutons (toutes les options visibles)")
        LIST = "list", _("Liste déroulante")

    class Operator(models.TextChoices):
        ANSWERED = "answered", _("a reçu une réponse")
        EQUALS = "equals", _("est égale à")
        CONTAINS = "contains", _("contient")

    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.CASCADE,
        related_name="questions",
        verbose_name=_("questionnaire"),
    )
    # RESTRICT rather than PROTECT: a question keeps its section (and its condition's source)
    # alive, yet deleting the whole questionnaire still cascades through all of them.
    section = models.ForeignKey(
        Section, on_delete=models.RESTRICT, related_name="questions", verbose_name=_("section")
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind)
    label = models.CharField(_("question"), max_length=500)
    help_text = models.CharField(_("aide"), max_length=500, blank=True)
    is_required = models.BooleanField(_("réponse obligatoire"), default=False)
    position = models.PositiveIntegerField(_("ordre"), default=0)
    is_hidden = models.BooleanField(_("masquée"), default=False)
    # single choice: buttons or a list
    display = models.CharField(
        _("présentation"), max_length=10, choices=Display, default=Display.BUTTONS
    )
    # single and multiple choice: "other, specify"
    allow_other = models.BooleanField(_("option « Autre, précisez »"), default=False)
    other_label = models.CharField(
        _("libellé de l’option « Autre »"), max_length=100, blank=True, default="Autre"
    )
    # multiple choice
    max_choices = models.PositiveSmallIntegerField(
        _("nombre maximal de choix"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    # scale
    scale_min = models.SmallIntegerField(
        _("minimum de l’échelle"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    scale_max = models.SmallIntegerField(
        _("maximum de l’échelle"), null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    scale_min_label = models.CharField(_("libellé du minimum"), max_length=80, blank=True)
    scale_max_label = models.CharField(_("libellé du maximum"), max_length=80, blank=True)
    # number
    number_min = models.DecimalField(
        _("valeur minimale"), max_digits=15, decimal_places=3, null=True, blank=True
    )
    number_max = models.DecimalField(
        _("valeur maximale"), max_digits=15, decimal_places=3, null=True, blank=True
    )
    # conditional display: shown only if an earlier question's answer meets the condition
    condition_question = models.ForeignKey(
        "self",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="dependents",
        verbose_name=_("afficher selon la question"),
    )
    condition_operator = models.CharField(
        _("condition"), max_length=10, choices=Operator, blank=True
    )
    condition_option = models.ForeignKey(
        "ecoute.Option",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("option attendue"),
    )
    condition_value = models.CharField(_("valeur attendue"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["section__position", "section_id", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="scale")
                | Q(scale_min__isnull=False, scale_max__gt=models.F("scale_min")),
                name="question_scale_has_bounds",
                violation_error_message=_("Une échelle va d’un minimum à un maximum plus grand."),
            ),
            models.CheckConstraint(
                condition=Q(number_min__isnull=True)
                | Q(number_max__isnull=True)
                | Q(number_max__gte=models.F("number_min")),
                name="question_number_bounds_ordered",
                violation_error_message=_("Le maximum doit être supérieur au minimum."),
            ),
            models.CheckConstraint(
                condition=Q(condition_question__isnull=True, condition_operator="")
                | Q(condition_question__isnull=False) & ~Q(condition_operator=""),
                name="question_condition_complete",
                violation_error_message=_("Une condition nomme une question et un opérateur."),
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def has_options(self) -> bool:
        return self.kind in CHOICE_KINDS

    @property
    def is_conditional(self) -> bool:
        return self.condition_question_id is not None

    @property
    def html_name(self) -> str:
        """The form field's name (and id stem) for this question."""
        return f"q{self.pk}"


CHOICE_KINDS = (Question.Kind.SINGLE_CHOICE, Question.Kind.MULTIPLE_CHOICE, Question.Kind.RANKING)
TEXT_KINDS = (Question.Kind.SHORT_TEXT, Question.Kind.LONG_TEXT)
NUMERIC_KINDS = (Question.Kind.SCALE, Question.Kind.NUMBER)


class Option(TimeStampedModel):
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="options", verbose_name=_("question")
    )
    label = models.CharField(_("libellé"), max_length=200)
    position = models.PositiveIntegerField(_("ordre"), default=0)
    is_hidden = models.BooleanField(_("masquée"), default=False)

    class Meta:
        verbose_name = _("option de réponse")
        verbose_name_plural = _("options de réponse")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.label
