"""Local initiatives: what a Caf team did, validated before it joins the network's catalogue,
with its files and images, the supports and threaded comments it receives."""

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caflab.core.models import TimeStampedModel
from caflab.core.queries import count_of as shared_count_of
from caflab.core.uploads import clean_image, get_private_storage, name_for_format
from caflab.core.workflow import StatusChangeBase
from caflab.engagement.models import (
    CommentBase,
    CommentQuerySet,
    ReportBase,
    SupportBase,
    track_moderation,
)
from caflab.network.models import ActiveQuerySet, Caf, Theme
from caflab.search.indexing import search_indexes, search_vector_trigger
from criees.uploads import initiative_upload_to
from projects.models import Deployment, Project

if TYPE_CHECKING:
    from caflab.accounts.models import User


class Public(TimeStampedModel):
    """A public an initiative is meant for (families, young adults…): reference data."""

    slug = models.SlugField(_("identifiant"), max_length=60, unique=True)
    name = models.CharField(_("nom"), max_length=80, unique=True)
    is_active = models.BooleanField(_("actif"), default=True)

    objects = ActiveQuerySet.as_manager()

    class Meta:
        verbose_name = _("public")
        verbose_name_plural = _("publics")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def count_of(model: type[models.Model], field: str = "initiative", **filters: object) -> Coalesce:
    """`caflab.core.queries.count_of`, counting rows that point at an initiative by default."""
    return shared_count_of(model, field, **filters)


class InitiativeQuerySet(models.QuerySet["Initiative"]):
    def published(self) -> "InitiativeQuerySet":
        return self.filter(status=Initiative.Status.PUBLISHED)

    def visible_to(self, user: "User") -> "InitiativeQuerySet":
        """The network sees the published catalogue; a Caf also sees its own initiatives at
        every status; a team sees its own; the lab sees everything. Citizens, partners and
        anonymous visitors see nothing."""
        if not (user.is_authenticated and user.is_network_member):
            return self.none()
        if user.is_lab_staff:
            return self
        in_team = InitiativeMember.objects.filter(initiative=OuterRef("pk"), user=user)
        scope = Q(status=Initiative.Status.PUBLISHED) | Q(Exists(in_team))
        if user.caf_id:
            scope |= Q(caf=user.caf_id)
        return self.filter(scope)

    def taken_up_elsewhere(self) -> "InitiativeQuerySet":
        """Promoted into the portfolio and deployed (live) in at least one other Caf."""
        return self.filter(Exists(_elsewhere()))

    def with_card_data(self) -> "InitiativeQuerySet":
        """Everything a catalogue card reads, so the page costs a fixed number of queries."""
        from criees.models.events import InterestDeclaration, InterestLevel

        return (
            self.select_related("caf__region", "project")
            .prefetch_related("themes", "publics")
            .annotate(
                n_supports=count_of(Support),
                n_comments=count_of(Comment, status=Comment.Status.VISIBLE),
                n_interests=count_of(InterestDeclaration),
                n_replicate=count_of(InterestDeclaration, level=InterestLevel.REPLICATE),
                is_taken_up=Exists(_elsewhere()),
            )
        )


def _elsewhere() -> models.QuerySet[Deployment]:
    return (
        Deployment.objects.live()
        .filter(project=OuterRef("project_id"))
        .exclude(caf=OuterRef("caf_id"))
    )


class Initiative(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        SUBMITTED = "submitted", _("Soumise à validation")
        PUBLISHED = "published", _("Publiée")
        RETURNED = "returned", _("Renvoyée à l’équipe")

    title = models.CharField(_("titre"), max_length=200)
    summary = models.TextField(
        _("résumé"), max_length=600, help_text=_("Deux ou trois phrases pour le catalogue.")
    )
    problem = models.TextField(_("problème de départ"))
    actions = models.TextField(_("ce qui a été fait"))
    results = models.TextField(_("résultats obtenus"), blank=True)
    cost_and_means = models.TextField(_("coût et moyens mobilisés"), blank=True)
    contact = models.TextField(
        _("contacts"),
        blank=True,
        help_text=_("Qui contacter : nom, fonction, e-mail ou téléphone professionnels."),
    )
    caf = models.ForeignKey(
        Caf, on_delete=models.PROTECT, related_name="initiatives", verbose_name=_("Caf")
    )
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="initiatives", verbose_name=_("thèmes")
    )
    publics = models.ManyToManyField(
        Public, blank=True, related_name="initiatives", verbose_name=_("publics")
    )
    status = models.CharField(_("statut"), max_length=10, choices=Status, default=Status.DRAFT)
    status_changed_at = models.DateTimeField(_("statut depuis"), default=timezone.now)
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True, db_index=True)
    return_comment = models.TextField(_("commentaire de renvoi"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créée par"),
    )
    # Promotion into the portfolio (essaimage): one project per initiative.
    project = models.OneToOneField(
        Project,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="criee_initiative",
        verbose_name=_("projet du portefeuille"),
    )
    promoted_at = models.DateTimeField(_("promue le"), null=True, blank=True)
    promoted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("promue par"),
    )
    # Kept current by PostgreSQL (caflab.search.indexing); empty on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = InitiativeQuerySet.as_manager()

    class Meta:
        verbose_name = _("initiative locale")
        verbose_name_plural = _("initiatives locales")
        # Unpublished ones (no date) last, on PostgreSQL as on SQLite.
        ordering = [F("published_at").desc(nulls_last=True), "-created_at"]
        indexes = [
            models.Index(fields=["status", "caf"], name="initiative_status_caf_idx"),
            *search_indexes("initiative"),
        ]
        triggers = [
            search_vector_trigger(
                ("title", "A"),
                ("summary", "B"),
                ("problem", "C"),
                ("actions", "C"),
                ("results", "D"),
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="initiative_published_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(return_comment=""),
                name="initiative_returned_has_comment",
                violation_error_message=_("Un renvoi à l’équipe doit être motivé."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("criees:initiative", kwargs={"pk": self.pk})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_editable_by_team(self) -> bool:
        """The team edits its initiative until it is published."""
        return self.status != self.Status.PUBLISHED

    @property
    def can_be_submitted(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class InitiativeMember(TimeStampedModel):
    """The team: who carries the initiative (authorship, kept when it is promoted)."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Porteur")
        MEMBER = "member", _("Membre")

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="members", verbose_name=_("initiative")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="initiative_memberships",
        verbose_name=_("personne"),
    )
    role = models.CharField(_("rôle"), max_length=10, choices=Role, default=Role.MEMBER)

    class Meta:
        verbose_name = _("membre de l’équipe d’une initiative")
        verbose_name_plural = _("membres des équipes d’initiatives")
        ordering = ["initiative", "role", "user__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "user"], name="initiative_member_unique"),
            models.UniqueConstraint(
                fields=["initiative"], condition=Q(role="lead"), name="initiative_one_lead"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class InitiativeStatusChange(StatusChangeBase):
    """The status history: submitted, published, returned with a comment…"""

    subject_field = "initiative"

    initiative = models.ForeignKey(
        Initiative,
        on_delete=models.PROTECT,
        related_name="status_changes",
        verbose_name=_("initiative"),
    )
    from_status = models.CharField(_("de"), max_length=10, choices=Initiative.Status, blank=True)
    to_status = models.CharField(_("vers"), max_length=10, choices=Initiative.Status)

    class Meta:
        verbose_name = _("changement de statut d’initiative")
        verbose_name_plural = _("changements de statut d’initiatives")
        ordering = ["initiative", "changed_at"]

    def __str__(self) -> str:
        return f"{self.initiative_id}: {self.from_status or '∅'} → {self.to_status}"


class Attachment(TimeStampedModel):
    """A file of an initiative, stored privately and served by a view that checks visibility."""

    # Each concrete model adds its `initiative` foreign key (with its own related name).
    file = models.FileField(
        _("fichier"), upload_to=initiative_upload_to, storage=get_private_storage, max_length=255
    )
    name = models.CharField(_("nom du fichier"), max_length=150)
    content_type = models.CharField(_("type de contenu"), max_length=120)
    size = models.PositiveIntegerField(_("taille (octets)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("déposé par"),
    )

    class Meta:
        abstract = True
        ordering = ["initiative", "created_at"]

    def __str__(self) -> str:
        return self.name


class InitiativeFile(Attachment):
    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="files", verbose_name=_("initiative")
    )
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta(Attachment.Meta):
        verbose_name = _("fichier d’initiative")
        verbose_name_plural = _("fichiers d’initiatives")

    def get_absolute_url(self) -> str:
        return reverse("criees:file", kwargs={"pk": self.pk})


class InitiativeImage(Attachment):
    """An image of an initiative. On upload it is written again without its metadata (the GPS
    position of where the photo was taken, the camera, the author): `file` keeps it full size,
    for download; `web_file` is the copy shown in pages, at most 1600 px wide."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="images", verbose_name=_("initiative")
    )
    # Empty for an image stored before web copies existed and that Pillow could not read: the
    # pages then show `file`.
    web_file = models.FileField(
        _("copie pour l’affichage"),
        upload_to=initiative_upload_to,
        storage=get_private_storage,
        max_length=255,
        blank=True,
    )
    alt_text = models.CharField(
        _("texte alternatif"),
        max_length=250,
        help_text=_("Ce que montre l’image, pour les personnes qui ne la voient pas."),
    )
    caption = models.CharField(_("légende"), max_length=200, blank=True)

    class Meta(Attachment.Meta):
        verbose_name = _("image d’initiative")
        verbose_name_plural = _("images d’initiatives")
        constraints = [
            models.CheckConstraint(condition=~Q(alt_text=""), name="initiative_image_has_alt")
        ]

    def get_absolute_url(self) -> str:
        return reverse("criees:image", kwargs={"pk": self.pk})

    @property
    def shown_file(self) -> models.fields.files.FieldFile:
        """What pages show: the web copy, or the original if there is none."""
        return self.web_file or self.file

    def _is_new_upload(self) -> bool:
        return bool(self.file) and not self.file._committed

    def clean(self) -> None:
        """A new upload is read with Pillow now, so that an image it cannot read, or one with
        too many pixels, is refused with the form's other errors."""
        super().clean()
        if self._is_new_upload():
            try:
                self._cleaned = clean_image(self.file)
            except ValidationError as error:
                raise ValidationError({"file": error.error_list}) from error

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A new upload is never stored as sent: its metadata could say where and by whom the
        # photo was taken. What is stored is the cleaned original and its web copy.
        if self._is_new_upload():
            cleaned = getattr(self, "_cleaned", None) or clean_image(self.file)
            self.file = cleaned.original
            self.web_file = cleaned.web
            self.size = cleaned.original.size
            self.content_type = cleaned.content_type
            self.name = name_for_format(self.name, cleaned.original.name)
            self._cleaned = None
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {
                    *kwargs["update_fields"],
                    *("file", "web_file", "size", "content_type", "name"),
                }
        super().save(*args, **kwargs)


class Support(SupportBase):
    """An agent supports an initiative: once per person."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="supports", verbose_name=_("initiative")
    )

    class Meta(SupportBase.Meta):
        verbose_name = _("soutien")
        verbose_name_plural = _("soutiens")
        constraints = [
            models.UniqueConstraint(fields=["initiative", "user"], name="support_one_per_person")
        ]


class InitiativeCommentQuerySet(CommentQuerySet):
    def visible_to(self, user: "User") -> "InitiativeCommentQuerySet":
        """The shown comments of the initiatives `user` sees (a comment's own page, and a
        project's origins when one became an idea)."""
        return self.visible().filter(initiative__in=Initiative.objects.visible_to(user))


# Moderation in the audit trail: the status and who set it, never the text.
@track_moderation(
    "CommentEvent",
    _("historique : commentaire"),
    _("historique : commentaires"),
)
class Comment(CommentBase):
    """A comment on an initiative (caflab.engagement: replies, moderation, reports). A shown
    comment has a page of its own, where the lab (or its Caf's correspondent) turns it into an
    idea: a source of innovation like the initiative itself (criees.lineage)."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.PROTECT, related_name="comments", verbose_name=_("initiative")
    )

    objects = InitiativeCommentQuerySet.as_manager()

    class Meta(CommentBase.Meta):
        verbose_name = _("commentaire")
        verbose_name_plural = _("commentaires")

    def get_absolute_url(self) -> str:
        return reverse("criees:comment", kwargs={"pk": self.initiative_id, "comment": self.pk})


class CommentReport(ReportBase):
    """Someone reports a comment: once per person. Past a threshold, it waits for moderation."""

    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, related_name="reports", verbose_name=_("commentaire")
    )

    class Meta(ReportBase.Meta):
        verbose_name = _("signalement de commentaire")
        verbose_name_plural = _("signalements de commentaires")
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "reporter"], name="comment_report_one_per_person"
            )
        ]
