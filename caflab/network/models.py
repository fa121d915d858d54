"""Reference data of the network: regions, the 101 Caf, Cnaf directorates, themes, programmes,
COG 2023-2027 axes and ambitions, partners. Seeded by data migrations, edited in the admin."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from caflab.core.models import TimeStampedModel


class ActiveQuerySet(models.QuerySet):
    def active(self) -> "ActiveQuerySet":
        return self.filter(is_active=True)


class Region(models.Model):
    code = models.CharField(_("code INSEE"), max_length=3, unique=True)
    name = models.CharField(_("nom"), max_length=80, unique=True)

    class Meta:
        verbose_name = _("région")
        verbose_name_plural = _("régions")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Caf(TimeStampedModel):
    """One Caf per département (Lozère and Mayotte are joint social-security funds)."""

    class Kind(models.TextChoices):
        CAF = "caf", _("Caisse d’allocations familiales")
        CCSS = "ccss", _("Caisse commune de sécurité sociale")
        CSS = "css", _("Caisse de sécurité sociale")

    code = models.CharField(
        _("code département"), max_length=3, unique=True, help_text=_("01…95, 2A, 2B, 971…976")
    )
    position = models.PositiveSmallIntegerField(
        _("ordre"), help_text=_("Ordre des départements (2A et 2B entre 19 et 21).")
    )
    name = models.CharField(_("nom officiel"), max_length=120, unique=True)
    department = models.CharField(_("département"), max_length=80)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="cafs", verbose_name=_("région")
    )
    kind = models.CharField(_("type d’organisme"), max_length=4, choices=Kind, default=Kind.CAF)
    is_overseas = models.BooleanField(_("outre-mer"), default=False)

    class Meta:
        verbose_name = _("Caf")
        verbose_name_plural = _("Caf")
        ordering = ["position"]

    def __str__(self) -> str:
        return self.name


class CafSiret(TimeStampedModel):
    """A SIRET of a Caf (its head office or one of its sites). An agent signing in through the
    agents' identity provider with this `siret` claim is placed in this Caf."""

    caf = models.ForeignKey(
        Caf, on_delete=models.PROTECT, related_name="sirets", verbose_name=_("Caf")
    )
    siret = models.CharField(
        _("SIRET"),
        max_length=14,
        unique=True,
        validators=[RegexValidator(r"^\d{14}$", _("Un SIRET compte exactement 14 chiffres."))],
    )
    label = models.CharField(_("libellé"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("SIRET de Caf")
        verbose_name_plural = _("SIRET des Caf")
        ordering = ["caf__position", "siret"]

    def __str__(self) -> str:
        return self.siret


class Directorate(TimeStampedModel):
    """A Cnaf business directorate (direction métier)."""

    acronym = models.CharField(_("sigle"), max_length=20, unique=True)
    name = models.CharField(_("nom"), max_length=160, unique=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("direction de la Cnaf")
        verbose_name_plural = _("directions de la Cnaf")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})"


class Theme(TimeStampedModel):
    slug = models.SlugField(_("identifiant"), max_length=60, unique=True)
    name = models.CharField(_("nom"), max_length=80, unique=True)
    is_active = models.BooleanField(_("actif"), default=True)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("thème")
        verbose_name_plural = _("thèmes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Programme(TimeStampedModel):
    slug = models.SlugField(_("identifiant"), max_length=60, unique=True)
    name = models.CharField(_("nom"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("actif"), default=True)
    # The ecological-transition programme: its projects need their ecological assessment
    # before the gate into experimentation (a go blocker registered by `evaluation`).
    requires_ecological_assessment = models.BooleanField(
        _("évaluation écologique exigée"),
        default=False,
        help_text=_(
            "Les projets du programme doivent avoir leur évaluation de la transition "
            "écologique (sept objectifs) avant la revue de passage vers l’expérimentation."
        ),
    )

    objects = ActiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CogAxis(TimeStampedModel):
    """An axis of the COG 2023-2027 (wording editable: it is the Cnaf's)."""

    number = models.PositiveSmallIntegerField(_("numéro"), unique=True)
    title = models.CharField(_("intitulé"), max_length=255)

    class Meta:
        verbose_name = _("axe de la COG")
        verbose_name_plural = _("axes de la COG")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class CogAmbition(TimeStampedModel):
    axis = models.ForeignKey(
        CogAxis, on_delete=models.PROTECT, related_name="ambitions", verbose_name=_("axe")
    )
    number = models.PositiveSmallIntegerField(_("numéro"))
    title = models.CharField(_("intitulé"), max_length=255)
    is_active = models.BooleanField(_("active"), default=True)
    target = models.PositiveIntegerField(
        _("cible"),
        null=True,
        blank=True,
        help_text=_(
            "Nombre de projets rattachés à cette ambition à atteindre au stade de "
            "l’expérimentation ou au-delà (expérimentation, essaimage, généralisation) "
            "d’ici la fin de la COG."
        ),
    )

    objects = ActiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("ambition de la COG")
        verbose_name_plural = _("ambitions de la COG")
        ordering = ["axis__number", "number"]
        constraints = [
            models.UniqueConstraint(fields=["axis", "number"], name="cog_ambition_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.axis.number}.{self.number} {self.title}"


class Partner(TimeStampedModel):
    class Kind(models.TextChoices):
        ASSOCIATION = "association", _("Association")
        ESS_COMPANY = "ess_company", _("Entreprise de l’ESS")
        LOCAL_AUTHORITY = "local_authority", _("Collectivité territoriale")
        SCHOOL = "school", _("Établissement d’enseignement ou de recherche")
        PUBLIC_BODY = "public_body", _("Organisme public")
        COMPANY = "company", _("Entreprise")
        OTHER = "other", _("Autre")

    name = models.CharField(_("nom"), max_length=160)
    kind = models.CharField(_("type"), max_length=20, choices=Kind)
    caf = models.ForeignKey(
        Caf,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="partners",
        verbose_name=_("Caf de rattachement"),
        help_text=_("Laisser vide pour un partenaire national."),
    )
    website = models.URLField(_("site web"), blank=True)
    is_active = models.BooleanField(_("actif"), default=True)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("partenaire")
        verbose_name_plural = _("partenaires")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "caf"], name="partner_unique_name_per_caf")
        ]

    def __str__(self) -> str:
        return self.name
