"""Making sense of what people wrote: an analysis per consultation, its texts materialised as
rows (open answers, "other, specify", contributions), a two-level codebook, the codes applied
to the texts (who and when), and the themes suggested in the background by French language
processing (ThemeRun → SuggestedTheme).

The texts are copies made by `analysis.services.texts.texts_build`: the coding list, its
filters and the results read them by index, never the answers' tables. Each copy keeps its
masked form (`analysis.masking`: phone numbers, e-mails, allocataire numbers, NIR) for every
display and export, its accent-folded form for the word filter, and the fingerprint that
groups identical and near-identical texts (`duplicate_of`, `group_size`)."""

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.postgres.indexes import OpClass
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from analysis import sources
from caflab.core.jobs import LeasedJob, SpreadsheetExport
from caflab.core.models import TimeStampedModel
from caflab.core.uploads import get_private_storage
from caflab.network.models import Caf
from caflab.search.indexing import PostgresGinIndex
from ecoute.models import Audience, Consultation, Question

if TYPE_CHECKING:
    from caflab.accounts.models import User


class AnalysisQuerySet(models.QuerySet["Analysis"]):
    def visible_to(self, user: "User") -> "AnalysisQuerySet":
        """The analyses of the consultations `user` manages (écoute's scope): the lab and the
        moderators see all of them, a correspondent their Caf's; and the analyses of the
        registered sources' subjects `user` may analyse (`analysis.sources`); the rest is 404."""
        query = Q(consultation__in=Consultation.objects.managed_by(user).values("pk"))
        if user.is_authenticated:
            for source in sources.registered():
                query |= Q(source=source.key, subject_id__in=source.analysable_by(user))
        return self.filter(query)


@dataclass(frozen=True)
class AnalysisHome:
    """Where an analysis comes from, as its pages show it: the title, the page it was started
    from and, above it, the breadcrumbs' first link."""

    title: str
    url: str
    trail_label: str
    trail_url: str

    def get_manage_url(self) -> str:
        return self.url

    @classmethod
    def of_consultation(cls, consultation: Consultation) -> "AnalysisHome":
        return cls(
            consultation.title,
            consultation.get_manage_url(),
            str(_("Gérer les consultations")),
            reverse("ecoute:manage"),
        )


class Analysis(TimeStampedModel):
    class TextsStatus(models.TextChoices):
        EMPTY = "empty", _("Textes pas encore rassemblés")
        BUILDING = "building", _("Textes en cours de rassemblement")
        READY = "ready", _("Textes prêts")

    consultation = models.OneToOneField(
        Consultation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="analysis",
        verbose_name=_("consultation"),
    )
    # "consultation", or the key of a source another app registered (`analysis.sources`:
    # a project's testimonies, an evaluation survey), whose subject is `subject_id`.
    source = models.CharField(_("source"), max_length=40, default=sources.CONSULTATION)
    subject_id = models.BigIntegerField(_("identifiant du sujet"), null=True, blank=True)
    # The subject's title when the analysis was created (a consultation's is read live).
    title = models.CharField(_("titre"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("créée par"),
    )
    texts_status = models.CharField(
        _("textes"), max_length=10, choices=TextsStatus, default=TextsStatus.EMPTY
    )
    texts_built_at = models.DateTimeField(_("textes rassemblés le"), null=True, blank=True)
    # Kept by the build (the overview shows it without counting the texts).
    n_texts = models.PositiveIntegerField(_("nombre de textes"), default=0)
    # The texts' waves (an evaluation survey's "before", "after"…), in their order of
    # appearance, kept by the build: the coding list offers its wave filter when there are
    # two or more, without a query of its own.
    waves = models.JSONField(_("vagues des textes"), default=list, blank=True, editable=False)

    objects = AnalysisQuerySet.as_manager()

    class Meta:
        verbose_name = _("analyse de textes")
        verbose_name_plural = _("analyses de textes")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "subject_id"],
                condition=Q(subject_id__isnull=False),
                name="analysis_one_per_subject",
            ),
            models.CheckConstraint(
                condition=(
                    Q(source=sources.CONSULTATION, consultation__isnull=False)
                    | (
                        ~Q(source=sources.CONSULTATION)
                        & Q(consultation__isnull=True, subject_id__isnull=False)
                    )
                ),
                name="analysis_consultation_or_subject",
            ),
        ]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        return self.consultation.title if self.consultation_id else self.title

    @property
    def registered_source(self) -> sources.Source | None:
        return None if self.consultation_id else sources.get_source(self.source)

    @cached_property
    def subject(self) -> Any:
        """The consultation, or the registered source's subject (one query)."""
        if self.consultation_id:
            return self.consultation
        source = self.registered_source
        if source is None:
            return None
        return source.model._default_manager.filter(pk=self.subject_id).first()

    @cached_property
    def home(self) -> AnalysisHome:
        if self.consultation_id:
            return AnalysisHome.of_consultation(self.consultation)
        source = self.registered_source
        trail_label, trail_url, url = (
            source.page(self.subject) if source and self.subject else ("", "", "")
        )
        return AnalysisHome(self.title, url, trail_label, trail_url)

    def get_absolute_url(self) -> str:
        return reverse("analysis:detail", kwargs={"pk": self.pk})


class SourceKind(models.TextChoices):
    ANSWER = "answer", _("Réponse écrite")
    OTHER = "other", _("Réponse « autre, précisez »")
    CONTRIBUTION = "contribution", _("Contribution")
    TESTIMONY = "testimony", _("Témoignage")
    # Given by the criées (a criée's comments) and the events (a programme's syntheses): the
    # values their registered sources use (caflab.core.textsources.SourceText.kind).
    COMMENT = "comment", _("Commentaire")
    SYNTHESIS = "synthesis", _("Synthèse d’événement")
    PROPOSAL = "proposal", _("Proposition issue d’un événement")


class AnalysisTextQuerySet(models.QuerySet["AnalysisText"]):
    def representatives(self) -> "AnalysisTextQuerySet":
        """One row per group of identical or near-identical texts (alone: its own group)."""
        return self.filter(duplicate_of__isnull=True)

    def uncoded(self) -> "AnalysisTextQuerySet":
        return self.filter(
            ~models.Exists(CodeAssignment.objects.filter(text=models.OuterRef("pk")))
        )


class AnalysisText(models.Model):
    """One text to code: a copy of an answer, an "other, specify", a contribution, or a text
    of a registered source (a testimony, a comment, an event's synthesis or proposal), with
    the segment it came from when known (audience, Caf, wave). No link to a person."""

    analysis = models.ForeignKey(
        Analysis, on_delete=models.CASCADE, related_name="texts", verbose_name=_("analyse")
    )
    source_kind = models.CharField(_("source"), max_length=12, choices=SourceKind)
    source_id = models.BigIntegerField(_("identifiant de la source"))
    question = models.ForeignKey(
        Question,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("question"),
    )
    audience = models.CharField(_("public"), max_length=10, choices=Audience, blank=True)
    caf = models.ForeignKey(
        Caf,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Caf"),
    )
    wave = models.CharField(_("vague"), max_length=60, blank=True)
    # Anonymous answers, published contributions and testimonies whose author consented may
    # be quoted; named answers and the other testimonies may not.
    is_quotable = models.BooleanField(_("citable"), default=False)
    text = models.TextField(_("texte"))
    masked_text = models.TextField(_("texte masqué"))
    has_personal_data = models.BooleanField(_("contient des données personnelles"), default=False)
    # Lower case, accents folded, spaces collapsed: the accent-insensitive word filter.
    folded = models.TextField(_("texte normalisé"), editable=False)
    fingerprint = models.CharField(_("empreinte"), max_length=40, editable=False)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("doublon de"),
    )
    group_size = models.PositiveIntegerField(_("taille du groupe de doublons"), default=1)
    # Drawn at random for two people to code blind (BlindCoding): their agreement per code.
    in_sample = models.BooleanField(_("dans l’échantillon de double codage"), default=False)

    objects = AnalysisTextQuerySet.as_manager()

    class Meta:
        verbose_name = _("texte à analyser")
        verbose_name_plural = _("textes à analyser")
        ordering = ["analysis", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["analysis", "source_kind", "source_id"], name="analysis_text_once"
            )
        ]
        indexes = [
            models.Index(fields=["analysis", "question"]),
            models.Index(fields=["analysis", "audience"]),
            models.Index(fields=["analysis", "caf"]),
            models.Index(fields=["analysis", "duplicate_of"]),
            models.Index(fields=["analysis", "fingerprint"]),
            # A source's withdrawn texts, whatever analysis holds them (texts_withdraw_copies).
            models.Index(fields=["source_kind", "source_id"]),
            models.Index(
                fields=["analysis", "id"],
                condition=Q(in_sample=True),
                name="analysis_text_sample_idx",
            ),
            # The word filter (`folded LIKE '%mot%'`) on a large analysis (pg_trgm comes
            # with caflab.search's first migration).
            PostgresGinIndex(
                OpClass(F("folded"), name="gin_trgm_ops"), name="analysis_text_trgm_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.masked_text[:60]


class Code(TimeStampedModel):
    """A code of the codebook: a theme, or a sub-theme of one (two levels)."""

    analysis = models.ForeignKey(
        Analysis, on_delete=models.CASCADE, related_name="codes", verbose_name=_("analyse")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("thème parent"),
        help_text=_("Vide pour un thème ; un thème pour un sous-thème."),
    )
    label = models.CharField(_("libellé"), max_length=120)
    definition = models.TextField(_("définition"), blank=True)
    example = models.TextField(_("exemple"), blank=True)
    colour = models.CharField(_("couleur"), max_length=7, default="#0b5cad")
    shortcut = models.CharField(
        _("raccourci clavier"),
        max_length=1,
        blank=True,
        help_text=_("Une lettre ou un chiffre, pour appliquer le code au clavier."),
    )
    position = models.PositiveIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("code")
        verbose_name_plural = _("codes")
        ordering = ["analysis", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["analysis", "label"],
                name="analysis_code_label_once",
                violation_error_message=_("Un code de cette analyse porte déjà ce libellé."),
            ),
            models.UniqueConstraint(
                fields=["analysis", "shortcut"],
                condition=~Q(shortcut=""),
                name="analysis_code_shortcut_once",
                violation_error_message=_("Ce raccourci est déjà pris par un autre code."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.parent.label} › {self.label}" if self.parent_id else self.label

    @property
    def is_theme(self) -> bool:
        return self.parent_id is None


class LibraryCodebook(TimeStampedModel):
    """A codebook the lab keeps in its shared library: a snapshot of an analysis' codes
    (LibraryCode), which any analysis' codebook can copy. Later changes to the analysis do not
    change it; the lab publishes a new one."""

    title = models.CharField(_("titre"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    source = models.ForeignKey(
        Analysis,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("analyse d’origine"),
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("publiée par"),
    )
    n_codes = models.PositiveIntegerField(_("nombre de codes"), default=0)

    class Meta:
        verbose_name = _("grille de codes de la bibliothèque")
        verbose_name_plural = _("grilles de codes de la bibliothèque")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class LibraryCode(models.Model):
    """A code of a library codebook: the fields of Code, without an analysis."""

    codebook = models.ForeignKey(
        LibraryCodebook, on_delete=models.CASCADE, related_name="codes", verbose_name=_("grille")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("thème parent"),
    )
    label = models.CharField(_("libellé"), max_length=120)
    definition = models.TextField(_("définition"), blank=True)
    example = models.TextField(_("exemple"), blank=True)
    colour = models.CharField(_("couleur"), max_length=7, default="#0b5cad")
    shortcut = models.CharField(_("raccourci clavier"), max_length=1, blank=True)
    position = models.PositiveIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("code de la bibliothèque")
        verbose_name_plural = _("codes de la bibliothèque")
        ordering = ["codebook", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["codebook", "label"], name="analysis_library_code_label_once"
            )
        ]

    def __str__(self) -> str:
        return self.label


class CodeAssignment(models.Model):
    """A code applied to a text, by whom and when. A suggestion (from an accepted theme) waits
    for someone to confirm it; once confirmed, it says who confirmed."""

    text = models.ForeignKey(
        AnalysisText, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("texte")
    )
    code = models.ForeignKey(
        Code, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("code")
    )
    is_suggested = models.BooleanField(_("suggestion à confirmer"), default=False)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
    )
    assigned_at = models.DateTimeField(_("le"))

    class Meta:
        verbose_name = _("code appliqué")
        verbose_name_plural = _("codes appliqués")
        ordering = ["text", "code"]
        constraints = [
            models.UniqueConstraint(fields=["text", "code"], name="analysis_assignment_once")
        ]
        indexes = [models.Index(fields=["code", "text"])]

    def __str__(self) -> str:
        return f"{self.text_id} ← {self.code_id}"


class BlindCoding(models.Model):
    """One person's codes for one text of the agreement sample, coded blind (they see neither
    the other coders' choices nor the codes applied in the coding view). Kept apart from
    CodeAssignment, which holds the one consolidated coding the results count: two coders who
    give a text the same code are two rows here. A text coded with no code is a row too (the
    coder read it and found none applies)."""

    text = models.ForeignKey(
        AnalysisText,
        on_delete=models.CASCADE,
        related_name="blind_codings",
        verbose_name=_("texte"),
    )
    coder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("codeur"),
    )
    codes = models.ManyToManyField(
        Code, blank=True, related_name="blind_codings", verbose_name=_("codes")
    )
    at = models.DateTimeField(_("le"))

    class Meta:
        verbose_name = _("codage en double aveugle")
        verbose_name_plural = _("codages en double aveugle")
        ordering = ["text", "coder"]
        constraints = [
            models.UniqueConstraint(fields=["text", "coder"], name="analysis_blind_coding_once")
        ]

    def __str__(self) -> str:
        return f"{self.text_id} – {self.coder_id}"


class ThemeRun(TimeStampedModel, LeasedJob):
    """A background computation of suggested themes (analysis.tasks.themes_suggest)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("En attente")
        RUNNING = "running", _("En cours")
        READY = "ready", _("Terminé")
        FAILED = "failed", _("Échec")

    analysis = models.ForeignKey(
        Analysis, on_delete=models.CASCADE, related_name="theme_runs", verbose_name=_("analyse")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("demandé par"),
    )
    status = models.CharField(_("statut"), max_length=10, choices=Status, default=Status.QUEUED)
    error = models.TextField(_("erreur"), blank=True)
    n_themes = models.PositiveSmallIntegerField(_("thèmes demandés"), default=8)
    n_texts = models.PositiveIntegerField(_("textes"), default=0)
    n_groups = models.PositiveIntegerField(_("textes distincts"), default=0)
    lemmatiser = models.CharField(
        _("traitement de la langue"),
        max_length=40,
        blank=True,
        help_text=_("« spacy » : lemmes français ; « simple » : mots en minuscules."),
    )
    duration_ms = models.PositiveIntegerField(_("durée (ms)"), null=True, blank=True)

    class Meta:
        verbose_name = _("calcul de thèmes suggérés")
        verbose_name_plural = _("calculs de thèmes suggérés")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.analysis} – {self.created_at:%d/%m/%Y %H:%M}"


class SuggestedTheme(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposé")
        ACCEPTED = "accepted", _("Accepté comme code")
        MERGED = "merged", _("Fusionné")
        DISCARDED = "discarded", _("Écarté")

    run = models.ForeignKey(
        ThemeRun, on_delete=models.CASCADE, related_name="themes", verbose_name=_("calcul")
    )
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    label = models.CharField(_("libellé"), max_length=120)
    words = models.JSONField(_("mots caractéristiques"), default=list)
    # The ids of its five most representative texts, most representative first.
    examples = models.JSONField(_("textes représentatifs"), default=list)
    n_groups = models.PositiveIntegerField(_("textes distincts"), default=0)
    n_texts = models.PositiveIntegerField(_("textes, doublons compris"), default=0)
    status = models.CharField(_("statut"), max_length=10, choices=Status, default=Status.PROPOSED)
    code = models.ForeignKey(
        Code,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("code créé"),
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("fusionné dans"),
    )
    texts = models.ManyToManyField(
        AnalysisText, through="ThemeText", related_name="+", verbose_name=_("textes")
    )

    class Meta:
        verbose_name = _("thème suggéré")
        verbose_name_plural = _("thèmes suggérés")
        ordering = ["run", "position", "pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.PROPOSED


class ThemeText(models.Model):
    """A text (a group's representative) the run placed in a theme, with its weight."""

    theme = models.ForeignKey(SuggestedTheme, on_delete=models.CASCADE, verbose_name=_("thème"))
    text = models.ForeignKey(AnalysisText, on_delete=models.CASCADE, verbose_name=_("texte"))
    weight = models.FloatField(_("poids"), default=0)

    class Meta:
        verbose_name = _("texte d’un thème suggéré")
        verbose_name_plural = _("textes des thèmes suggérés")
        constraints = [models.UniqueConstraint(fields=["theme", "text"], name="theme_text_once")]

    def __str__(self) -> str:
        return f"{self.theme_id}: {self.text_id}"


class AnalysisExport(SpreadsheetExport, TimeStampedModel):
    """An export of the coded texts (CSV or XLSX), built in the background by
    `analysis.tasks.build_export` (a large analysis has 100,000 texts) into the private storage,
    downloadable only by who asked for it while they still manage the analysis."""

    analysis = models.ForeignKey(
        Analysis, on_delete=models.CASCADE, related_name="exports", verbose_name=_("analyse")
    )
    # The requester's own download: erased with their account ("my data"), files included.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("demandé par"),
    )
    file = models.FileField(
        _("fichier"),
        upload_to="analysis/exports/",
        storage=get_private_storage,
        blank=True,
        max_length=255,
    )

    class Meta:
        verbose_name = _("export de textes codés")
        verbose_name_plural = _("exports de textes codés")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.analysis} ({self.get_format_display()})"

    def get_absolute_url(self) -> str:
        return reverse("analysis:export-detail", kwargs={"pk": self.pk})
