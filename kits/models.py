"""The prototyping and essaimage kit: documents held by projects and initiatives (each upload of
the same document a new version, the older ones kept), the kit the lab defines for each stage
(the deliverables its gate expects, blocking or not, with templates to download), the checklist
items a project's team ticks, and the fiche d'essaimage (replication guide) of a project at the
essaimage stage or of a promoted initiative.

Nothing here is cascade-deleted: a document, its versions, a deliverable and its checks are
evidence a gate decision relied on (PROTECT everywhere)."""

from typing import TYPE_CHECKING, Any

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from caflab.core.audit import before_and_after, event_meta
from caflab.core.models import TimeStampedModel
from caflab.core.uploads import RandomName, get_private_storage
from criees.models import Initiative
from projects.models import PIPELINE, Project, Stage

if TYPE_CHECKING:
    from caflab.accounts.models import User

# The stages whose project has a fiche d'essaimage: essaimage and what follows it.
GUIDE_STAGES: tuple[str, ...] = PIPELINE[PIPELINE.index(Stage.ESSAIMAGE) :]
# The gates a kit may be defined for: every pipeline stage but the first (nothing leads to it).
KIT_STAGES = [(stage, Stage(stage).label) for stage in PIPELINE[1:]]


class DocumentKind(models.TextChoices):
    PROTOTYPE_BRIEF = "prototype_brief", _("Fiche de prototype")
    TEST_PROTOCOL = "test_protocol", _("Protocole de test")
    USER_TEST_RESULTS = "user_test_results", _("Résultats des tests utilisateurs")
    BUSINESS_CASE = "business_case", _("Étude d’opportunité")
    REPLICATION_GUIDE = "replication_guide", _("Guide d’essaimage")
    TRAINING_MATERIAL = "training_material", _("Support de formation")
    OTHER = "other", _("Autre document")


def _one_holder(prefix: str) -> models.CheckConstraint:
    """Exactly one of project and initiative."""
    return models.CheckConstraint(
        condition=(Q(project__isnull=False) & Q(initiative__isnull=True))
        | (Q(project__isnull=True) & Q(initiative__isnull=False)),
        name=f"{prefix}_one_holder",
    )


class DocumentQuerySet(models.QuerySet["Document"]):
    def visible_to(self, user: "User") -> "DocumentQuerySet":
        """The documents of the projects and initiatives `user` sees (the same scopes)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_lab_staff:
            return self
        projects = Project.objects.visible_to(user).values("pk")
        initiatives = Initiative.objects.visible_to(user).values("pk")
        return self.filter(Q(project__in=projects) | Q(initiative__in=initiatives))

    def of(self, holder: Project | Initiative) -> "DocumentQuerySet":
        if isinstance(holder, Project):
            return self.filter(project=holder)
        return self.filter(initiative=holder)

    def with_list_data(self) -> "DocumentQuerySet":
        """What a list of documents reads: the latest version and who uploaded it."""
        return self.select_related("latest_version__uploaded_by").order_by("kind", "title", "pk")


class Document(TimeStampedModel):
    """A document of a project or of an initiative; its file is in its versions, the latest
    one first shown. A new upload of the same document is a new version."""

    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="kit_documents",
        verbose_name=_("projet"),
    )
    initiative = models.ForeignKey(
        Initiative,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="kit_documents",
        verbose_name=_("initiative"),
    )
    kind = models.CharField(_("type de document"), max_length=30, choices=DocumentKind)
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    # Kept by the services: the number of versions and the latest one (lists read no other row).
    n_versions = models.PositiveIntegerField(_("nombre de versions"), default=0, editable=False)
    latest_version = models.ForeignKey(
        "DocumentVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dernière version"),
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créé par"),
    )

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document du kit")
        verbose_name_plural = _("documents du kit")
        ordering = ["kind", "title", "pk"]
        indexes = [
            models.Index(fields=["project", "kind"], name="kit_document_project_kind"),
            models.Index(fields=["initiative", "kind"], name="kit_document_initiative_kind"),
        ]
        constraints = [
            _one_holder("kit_document"),
            # One document per title and kind on a holder: a new file is a new version of it.
            models.UniqueConstraint(
                "project",
                "kind",
                Lower("title"),
                condition=Q(project__isnull=False),
                name="kit_document_unique_on_project",
            ),
            models.UniqueConstraint(
                "initiative",
                "kind",
                Lower("title"),
                condition=Q(initiative__isnull=False),
                name="kit_document_unique_on_initiative",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("kits:document", kwargs={"pk": self.pk})

    @property
    def holder(self) -> Project | Initiative:
        return self.project if self.project_id else self.initiative  # type: ignore[return-value]


class DocumentVersion(TimeStampedModel):
    """One upload of a document: checked (`caflab.core.uploads.check_upload`), stored privately
    under a random name, served by `kits:version` to whoever sees the document's holder."""

    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, related_name="versions", verbose_name=_("document")
    )
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(
        _("fichier"), upload_to=RandomName("kits"), storage=get_private_storage, max_length=255
    )
    name = models.CharField(_("nom du fichier"), max_length=150)
    content_type = models.CharField(_("type de contenu"), max_length=120)
    size = models.PositiveIntegerField(_("taille (octets)"))
    # The file's SHA-256: the same file sent again as the next version is "already done".
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, editable=False)
    note = models.CharField(_("ce qui change"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("déposée par"),
    )

    class Meta:
        verbose_name = _("version de document")
        verbose_name_plural = _("versions de documents")
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="kit_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.document} (v{self.number})"

    def get_absolute_url(self) -> str:
        return reverse("kits:version", kwargs={"pk": self.pk})


class StageKit(TimeStampedModel):
    """What the gate into `stage` expects (the same stage a gate criterion targets): defined by
    the lab in the admin."""

    stage = models.CharField(
        _("étape visée"),
        max_length=20,
        choices=KIT_STAGES,
        unique=True,
        help_text=_("Le kit de la revue de passage vers cette étape."),
    )
    introduction = models.TextField(
        _("introduction"), blank=True, help_text=_("Ce que l’équipe doit préparer, en bref.")
    )
    is_active = models.BooleanField(_("actif"), default=True)

    class Meta:
        verbose_name = _("kit d’étape")
        verbose_name_plural = _("kits d’étape")
        ordering = ["stage"]

    def __str__(self) -> str:
        return str(_("Kit vers « %(stage)s »") % {"stage": self.get_stage_display()})


class DeliverableQuerySet(models.QuerySet["Deliverable"]):
    def active(self) -> "DeliverableQuerySet":
        return self.filter(is_active=True, kit__is_active=True)

    def for_gate(self, stage: str) -> "DeliverableQuerySet":
        return self.active().filter(kit__stage=stage).order_by("position", "pk")


# Who made a deliverable blocking (or not) is in the audit trail: it decides which "go" is refused.
@pghistory.track(
    *before_and_after("is_blocking", "is_active", "document_kind"),
    fields=["label", "document_kind", "is_blocking", "is_active"],
    model_name="DeliverableEvent",
    meta=event_meta(_("historique : livrable attendu"), _("historique : livrables attendus")),
)
class Deliverable(TimeStampedModel):
    """An expected deliverable of a stage kit: a document of a kind (met once the project holds
    one), or a checklist item (met once the team ticks it). A blocking one missing refuses a
    "go" at the gate (unless the decider justifies passing over it)."""

    kit = models.ForeignKey(
        StageKit, on_delete=models.PROTECT, related_name="deliverables", verbose_name=_("kit")
    )
    label = models.CharField(_("libellé"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    document_kind = models.CharField(
        _("type de document attendu"),
        max_length=30,
        choices=DocumentKind,
        blank=True,
        help_text=_("Vide : un point de la liste à cocher par l’équipe."),
    )
    is_blocking = models.BooleanField(
        _("bloquant"), default=False, help_text=_("Manquant, il bloque un « go » à la revue.")
    )
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    is_active = models.BooleanField(_("actif"), default=True)
    template = models.FileField(
        _("modèle à télécharger"),
        upload_to=RandomName("kits/modeles"),
        storage=get_private_storage,
        max_length=255,
        blank=True,
    )
    template_name = models.CharField(_("nom du modèle"), max_length=150, blank=True)

    objects = DeliverableQuerySet.as_manager()

    class Meta:
        verbose_name = _("livrable attendu")
        verbose_name_plural = _("livrables attendus")
        ordering = ["kit", "position", "pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def is_checklist(self) -> bool:
        return not self.document_kind


class DeliverableCheck(TimeStampedModel):
    """A checklist item of a kit ticked by a project's team: one per project and item."""

    deliverable = models.ForeignKey(
        Deliverable, on_delete=models.PROTECT, related_name="checks", verbose_name=_("livrable")
    )
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="kit_checks", verbose_name=_("projet")
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("coché par"),
    )

    class Meta:
        verbose_name = _("point de liste coché")
        verbose_name_plural = _("points de liste cochés")
        ordering = ["project", "deliverable"]
        constraints = [
            models.UniqueConstraint(
                fields=["deliverable", "project"], name="kit_check_one_per_project"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.deliverable}"


GUIDE_FIELDS = (
    "summary",
    "prerequisites",
    "cost",
    "duration",
    "team",
    "adaptable",
    "not_adaptable",
    "contacts",
)


class ReplicationGuide(TimeStampedModel):
    """The fiche d'essaimage a Caf reads before declaring it wants to take an innovation up:
    one per project (at the essaimage stage or later) or per promoted initiative."""

    project = models.OneToOneField(
        Project,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replication_guide",
        verbose_name=_("projet"),
    )
    initiative = models.OneToOneField(
        Initiative,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replication_guide",
        verbose_name=_("initiative"),
    )
    summary = models.TextField(_("en bref"), blank=True, max_length=2000)
    prerequisites = models.TextField(_("prérequis"), blank=True, max_length=5000)
    cost = models.TextField(_("coût"), blank=True, max_length=3000)
    duration = models.TextField(_("temps à prévoir"), blank=True, max_length=3000)
    team = models.TextField(_("équipe à mobiliser"), blank=True, max_length=3000)
    adaptable = models.TextField(_("ce qui peut être adapté"), blank=True, max_length=5000)
    not_adaptable = models.TextField(
        _("ce qui ne peut pas être adapté"), blank=True, max_length=5000
    )
    contacts = models.TextField(_("contacts"), blank=True, max_length=3000)
    documents = models.ManyToManyField(
        Document, blank=True, related_name="guides", verbose_name=_("documents")
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("mise à jour par"),
    )

    class Meta:
        verbose_name = _("fiche d’essaimage")
        verbose_name_plural = _("fiches d’essaimage")
        ordering = ["-updated_at"]
        constraints = [_one_holder("kit_guide")]

    def __str__(self) -> str:
        return str(_("Fiche d’essaimage : %(holder)s") % {"holder": self.holder})

    @property
    def holder(self) -> Project | Initiative:
        return self.project if self.project_id else self.initiative  # type: ignore[return-value]

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, name).strip() for name in GUIDE_FIELDS)


def holder_kwargs(holder: Project | Initiative) -> dict[str, Any]:
    """The field naming `holder` on a document or a guide."""
    return {"project": holder} if isinstance(holder, Project) else {"initiative": holder}
