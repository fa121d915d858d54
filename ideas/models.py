"""Where innovations come from: the idea box, challenges (hackathons, calls for ideas, dojos),
creativity-session requests from the directorates and the sessions themselves. Every idea stays
traceable to what it came from and to what it became."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caflab.core.models import TimeStampedModel
from caflab.core.queries import count_of
from caflab.core.uploads import RandomName, get_private_storage
from caflab.core.workflow import StatusHistory
from caflab.engagement.models import (
    CommentBase,
    ReportBase,
    SupportBase,
    track_moderation,
)
from caflab.network.models import Caf, Directorate, Theme
from caflab.search.indexing import search_indexes, search_vector_trigger
from projects.models.portfolio import Project, ScoreBase

# --- ideas ---------------------------------------------------------------------------------


class IdeaQuerySet(models.QuerySet["Idea"]):
    def visible_to(self, user) -> "IdeaQuerySet":
        """The idea box is the network's: every network member reads it; partners and citizens
        see nothing here."""
        if user.is_authenticated and user.is_network_member:
            return self
        return self.none()

    def triage_queue_for(self, user) -> "IdeaQuerySet":
        """Ideas to triage: all of them for the lab, their Caf's for a correspondent."""
        open_ideas = self.filter(status__in=[Idea.Status.SUBMITTED, Idea.Status.UNDER_REVIEW])
        if user.is_authenticated and user.is_lab_staff:
            return open_ideas
        if user.is_authenticated and user.is_correspondent:
            return open_ideas.filter(caf=user.caf_id)
        return self.none()

    def with_card_data(self) -> "IdeaQuerySet":
        """What an idea card reads. The support count is a correlated subquery, not a join and
        GROUP BY: PostgreSQL evaluates it only for the page's rows (after LIMIT), and the
        paginator's COUNT(*) drops it, so a page costs the same with 20 or 20,000 ideas."""
        return (
            self.select_related("author", "caf", "project", "session", "challenge")
            .prefetch_related("themes")
            .annotate(n_supports=count_of(IdeaSupport, "idea"))
        )


class Idea(TimeStampedModel):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Soumise")
        UNDER_REVIEW = "under_review", _("En cours d’examen")
        ACCEPTED = "accepted", _("Retenue comme projet")
        MERGED = "merged", _("Fusionnée")
        SHELVED = "shelved", _("Mise en attente")
        DECLINED = "declined", _("Non retenue")

    class Source(models.TextChoices):
        BOX = "box", _("Boîte à idées")
        CHALLENGE = "challenge", _("Défi")
        SESSION = "session", _("Séance de créativité")
        CONSULTATION = "consultation", _("Consultation")
        CRIEE = "criee", _("Criée")
        EVENT = "event", _("Débat ou événement")

    title = models.CharField(_("titre"), max_length=200)
    problem = models.TextField(_("problème constaté"))
    solution = models.TextField(_("solution proposée"), blank=True)
    target_publics = models.CharField(_("publics concernés"), max_length=255, blank=True)
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="ideas", verbose_name=_("thèmes")
    )
    caf = models.ForeignKey(
        Caf,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ideas",
        verbose_name=_("Caf"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="ideas",
        verbose_name=_("auteur"),
    )
    co_authors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="co_authored_ideas",
        verbose_name=_("co-auteurs"),
    )
    source = models.CharField(_("origine"), max_length=15, choices=Source, default=Source.BOX)
    challenge = models.ForeignKey(
        "Challenge",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ideas",
        verbose_name=_("défi d’origine"),
    )
    session = models.ForeignKey(
        "CreativitySession",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ideas",
        verbose_name=_("séance d’origine"),
    )
    status = models.CharField(_("statut"), max_length=15, choices=Status, default=Status.SUBMITTED)
    status_changed_at = models.DateTimeField(_("statut depuis"), default=timezone.now)
    revisit_on = models.DateField(_("à réexaminer le"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_ideas",
        verbose_name=_("fusionnée dans"),
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ideas",
        verbose_name=_("projet issu de l’idée"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ideas_to_review",
        verbose_name=_("examinateur"),
    )
    reviewed_at = models.DateTimeField(_("examinée le"), null=True, blank=True)
    # What the idea was born of, when the lab turned a source into it (a citizen's
    # contribution, a criée initiative…: the kinds of projects.origins). One idea per source.
    origin_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("type de l’origine"),
    )
    origin_id = models.PositiveBigIntegerField(_("origine"), null=True, blank=True)
    origin = GenericForeignKey("origin_type", "origin_id")
    # Kept current by PostgreSQL (caflab.search.indexing); empty on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = IdeaQuerySet.as_manager()

    class Meta:
        verbose_name = _("idée")
        verbose_name_plural = _("idées")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "caf"]), *search_indexes("idea")]
        triggers = [search_vector_trigger(("title", "A"), ("problem", "B"), ("solution", "C"))]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="merged") | Q(merged_into__isnull=False),
                name="idea_merged_has_target",
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(project__isnull=False),
                name="idea_accepted_has_project",
            ),
            models.CheckConstraint(
                condition=~Q(status="shelved") | Q(revisit_on__isnull=False),
                name="idea_shelved_has_revisit_date",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("pk")), name="idea_not_merged_into_itself"
            ),
            models.UniqueConstraint(
                fields=["origin_type", "origin_id"],
                condition=Q(origin_type__isnull=False),
                name="idea_one_per_origin",
            ),
            models.CheckConstraint(
                condition=Q(origin_type__isnull=True, origin_id__isnull=True)
                | Q(origin_type__isnull=False, origin_id__isnull=False),
                name="idea_origin_type_and_id_together",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("ideas:idea-detail", kwargs={"pk": self.pk})


class IdeaStatusChange(StatusHistory, models.Model):
    """Every status change carries a reason, told to the authors and followers."""

    subject_field, reason_field = "idea", "reason"

    idea = models.ForeignKey(
        Idea, on_delete=models.PROTECT, related_name="status_changes", verbose_name=_("idée")
    )
    from_status = models.CharField(_("de"), max_length=15, choices=Idea.Status, blank=True)
    to_status = models.CharField(_("vers"), max_length=15, choices=Idea.Status)
    reason = models.TextField(_("motif"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
    )
    changed_at = models.DateTimeField(_("le"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("changement de statut d’idée")
        verbose_name_plural = _("changements de statut d’idée")
        ordering = ["idea", "changed_at"]

    def __str__(self) -> str:
        return f"{self.idea}: {self.from_status or '∅'} → {self.to_status}"


class IdeaSupport(SupportBase):
    """Someone supports an idea: once per person (caflab.engagement)."""

    idea = models.ForeignKey(
        Idea, on_delete=models.CASCADE, related_name="supports", verbose_name=_("idée")
    )

    class Meta(SupportBase.Meta):
        verbose_name = _("soutien à une idée")
        verbose_name_plural = _("soutiens aux idées")
        constraints = [
            models.UniqueConstraint(fields=["idea", "user"], name="idea_support_one_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.idea}"


# Moderation in the audit trail: the status and who set it, never the text.
@track_moderation(
    "IdeaCommentEvent",
    _("historique : commentaire d’idée"),
    _("historique : commentaires d’idées"),
)
class IdeaComment(CommentBase):
    """A comment on an idea (caflab.engagement: replies, moderation, reports)."""

    idea = models.ForeignKey(
        Idea, on_delete=models.PROTECT, related_name="comments", verbose_name=_("idée")
    )

    class Meta(CommentBase.Meta):
        verbose_name = _("commentaire d’idée")
        verbose_name_plural = _("commentaires d’idées")
        ordering = ["idea", "created_at"]


class IdeaCommentReport(ReportBase):
    """Someone reports an idea's comment: once per person. Past a threshold, it waits for
    moderation."""

    comment = models.ForeignKey(
        IdeaComment, on_delete=models.CASCADE, related_name="reports", verbose_name=_("commentaire")
    )

    class Meta(ReportBase.Meta):
        verbose_name = _("signalement de commentaire d’idée")
        verbose_name_plural = _("signalements de commentaires d’idées")
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "reporter"], name="idea_comment_report_one_per_person"
            )
        ]


class IdeaAttachment(TimeStampedModel):
    """A file attached to an idea: type and size checked on upload, served as a download by a
    view that checks the idea's visibility (never a public media URL)."""

    idea = models.ForeignKey(
        Idea, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("idée")
    )
    file = models.FileField(
        _("fichier"), upload_to=RandomName("ideas"), storage=get_private_storage
    )
    original_name = models.CharField(_("nom du fichier"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
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
        verbose_name = _("pièce jointe d’idée")
        verbose_name_plural = _("pièces jointes d’idées")
        ordering = ["idea", "created_at"]

    def __str__(self) -> str:
        return self.original_name


class IdeaScore(ScoreBase):
    """The triage scorecard of an idea, on the criteria of the "idea" scorecard."""

    idea = models.ForeignKey(
        Idea, on_delete=models.CASCADE, related_name="scores", verbose_name=_("idée")
    )

    class Meta:
        verbose_name = _("note de tri d’idée")
        verbose_name_plural = _("notes de tri d’idées")
        ordering = ["idea", "criterion__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["idea", "criterion", "reviewer"], name="idea_score_one_per_reviewer"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="idea_score_between_1_and_5"
            ),
        ]


# --- challenges ----------------------------------------------------------------------------


class ChallengeQuerySet(models.QuerySet["Challenge"]):
    def visible_to(self, user) -> "ChallengeQuerySet":
        """Drafts are the lab's; the rest is seen by its audience."""
        if not user.is_authenticated:
            return self.none()
        if user.is_lab_staff:
            return self
        published = self.exclude(status=Challenge.Status.DRAFT)
        if user.is_network_member:
            return published
        if user.is_partner:
            return published.filter(audience=Challenge.Audience.AGENTS_AND_PARTNERS)
        # Citizens are consulted through "La Caf à votre écoute" (its contributions are moderated
        # for them); a challenge is never theirs: the "open to the public" option is gone.
        return self.none()


class Challenge(TimeStampedModel):
    class Kind(models.TextChoices):
        HACKATHON = "hackathon", _("Hackathon")
        CALL_FOR_IDEAS = "call_for_ideas", _("Appel à idées")
        DOJO = "dojo", _("Dojo interne")

    class Audience(models.TextChoices):
        AGENTS = "agents", _("Agents du réseau")
        AGENTS_AND_PARTNERS = "agents_partners", _("Agents et partenaires")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        OPEN = "open", _("Ouvert aux contributions")
        JUDGING = "judging", _("Délibération du jury")
        RESULTS_PUBLISHED = "results", _("Résultats publiés")
        CLOSED = "closed", _("Clos")

    title = models.CharField(_("titre"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=Kind)
    brief = models.TextField(_("énoncé du défi"))
    sponsor = models.ForeignKey(
        Directorate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="challenges",
        verbose_name=_("direction sponsor"),
    )
    audience = models.CharField(
        _("public"), max_length=20, choices=Audience, default=Audience.AGENTS
    )
    submissions_open_on = models.DateField(_("ouverture des contributions"))
    submissions_close_on = models.DateField(_("clôture des contributions"))
    judging_close_on = models.DateField(_("fin des délibérations"))
    results_on = models.DateField(_("publication des résultats"))
    jury = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="juries", verbose_name=_("jury")
    )
    status = models.CharField(_("statut"), max_length=10, choices=Status, default=Status.DRAFT)
    results_summary = models.TextField(_("résultats"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créé par"),
    )

    objects = ChallengeQuerySet.as_manager()

    class Meta:
        verbose_name = _("défi")
        verbose_name_plural = _("défis")
        ordering = ["-submissions_open_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(submissions_open_on__lte=models.F("submissions_close_on"))
                & Q(submissions_close_on__lte=models.F("judging_close_on"))
                & Q(judging_close_on__lte=models.F("results_on")),
                name="challenge_dates_in_order",
                violation_error_message=_(
                    "Les dates doivent se suivre : ouverture, clôture, jury, résultats."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("ideas:challenge-detail", kwargs={"pk": self.pk})


class ChallengeEntry(TimeStampedModel):
    challenge = models.ForeignKey(
        Challenge, on_delete=models.PROTECT, related_name="entries", verbose_name=_("défi")
    )
    title = models.CharField(_("titre"), max_length=200)
    summary = models.TextField(_("description"))
    team_name = models.CharField(_("nom de l’équipe"), max_length=120, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="challenge_entries",
        verbose_name=_("membres de l’équipe"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("déposée par"),
    )
    is_winner = models.BooleanField(_("lauréate"), default=False)
    idea = models.OneToOneField(
        Idea,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="challenge_entry",
        verbose_name=_("idée issue de la contribution"),
    )

    class Meta:
        verbose_name = _("contribution à un défi")
        verbose_name_plural = _("contributions aux défis")
        ordering = ["challenge", "created_at"]

    def __str__(self) -> str:
        return self.title


class EntryScore(ScoreBase):
    """A jury member's score of an entry on one of the challenge's criteria."""

    entry = models.ForeignKey(
        ChallengeEntry,
        on_delete=models.CASCADE,
        related_name="scores",
        verbose_name=_("contribution"),
    )

    class Meta:
        verbose_name = _("note du jury")
        verbose_name_plural = _("notes du jury")
        ordering = ["entry", "criterion__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "criterion", "reviewer"], name="entry_score_one_per_juror"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="entry_score_between_1_and_5"
            ),
        ]


# --- creativity sessions -------------------------------------------------------------------


class SessionRequestQuerySet(models.QuerySet["SessionRequest"]):
    def visible_to(self, user) -> "SessionRequestQuerySet":
        """The lab sees every request; a directorate member sees their directorate's."""
        if not user.is_authenticated:
            return self.none()
        if user.is_lab_staff:
            return self
        if user.is_directorate_member and user.directorate_id:
            return self.filter(directorate=user.directorate_id)
        return self.none()


class SessionRequest(TimeStampedModel):
    """A directorate asks the lab for a creativity session, an accompaniment or co-ownership."""

    class Kind(models.TextChoices):
        SESSION = "session", _("Séance de créativité")
        ACCOMPANIMENT = "accompaniment", _("Accompagnement")
        CO_OWNERSHIP = "co_ownership", _("Co-portage de projet")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Demandée")
        QUALIFIED = "qualified", _("Qualifiée")
        SCHEDULED = "scheduled", _("Programmée")
        HELD = "held", _("Tenue")
        DEBRIEFED = "debriefed", _("Restituée")
        DECLINED = "declined", _("Déclinée")

    kind = models.CharField(_("type de demande"), max_length=20, choices=Kind, default=Kind.SESSION)
    directorate = models.ForeignKey(
        Directorate,
        on_delete=models.PROTECT,
        related_name="session_requests",
        verbose_name=_("direction"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="session_requests",
        verbose_name=_("demandée par"),
    )
    title = models.CharField(_("intitulé"), max_length=200)
    problem = models.TextField(_("problème à traiter"))
    desired_from = models.DateField(_("souhaitée à partir du"), null=True, blank=True)
    desired_until = models.DateField(_("souhaitée avant le"), null=True, blank=True)
    expected_participants = models.CharField(_("participants attendus"), max_length=255, blank=True)
    status = models.CharField(_("statut"), max_length=10, choices=Status, default=Status.REQUESTED)
    status_changed_at = models.DateTimeField(_("statut depuis"), default=timezone.now)
    decline_reason = models.TextField(_("motif du refus"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="handled_session_requests",
        verbose_name=_("suivie par"),
    )

    objects = SessionRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("demande de séance")
        verbose_name_plural = _("demandes de séance")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""),
                name="session_request_declined_has_reason",
                violation_error_message=_("Un refus doit être motivé."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("ideas:session-request-detail", kwargs={"pk": self.pk})


class SessionRequestChange(StatusHistory, models.Model):
    """The follow-up of a session request: each status change, with a note."""

    subject_field, reason_field = "request", "note"

    request = models.ForeignKey(
        SessionRequest, on_delete=models.PROTECT, related_name="changes", verbose_name=_("demande")
    )
    from_status = models.CharField(
        _("de"), max_length=10, choices=SessionRequest.Status, blank=True
    )
    to_status = models.CharField(_("vers"), max_length=10, choices=SessionRequest.Status)
    note = models.TextField(_("commentaire"), blank=True)
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
        verbose_name = _("suivi de demande de séance")
        verbose_name_plural = _("suivis de demandes de séance")
        ordering = ["request", "changed_at"]

    def __str__(self) -> str:
        return f"{self.request}: {self.from_status or '∅'} → {self.to_status}"


class CreativitySessionQuerySet(models.QuerySet["CreativitySession"]):
    def visible_to(self, user) -> "CreativitySessionQuerySet":
        """Sessions are the network's to read; a partner sees those they facilitate."""
        if not user.is_authenticated:
            return self.none()
        if user.is_lab_staff or user.is_network_member:
            return self
        return self.filter(pk__in=self.filter(facilitators=user).values("pk"))


class CreativitySession(TimeStampedModel):
    class Method(models.TextChoices):
        DESIGN_THINKING = "design_thinking", _("Design thinking")
        WORLD_CAFE = "world_cafe", _("World café")
        HACKATHON = "hackathon", _("Hackathon")
        DOJO = "dojo", _("Dojo")
        CO_DESIGN = "co_design", _("Atelier de co-conception")
        OTHER = "other", _("Autre")

    request = models.ForeignKey(
        SessionRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("demande"),
    )
    title = models.CharField(_("intitulé"), max_length=200)
    held_on = models.DateTimeField(_("date et heure"))
    place = models.CharField(_("lieu"), max_length=255, blank=True)
    video_link = models.URLField(_("lien de visioconférence"), blank=True)
    caf = models.ForeignKey(
        Caf,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="creativity_sessions",
        verbose_name=_("Caf d’accueil"),
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="facilitated_sessions",
        verbose_name=_("animateurs"),
    )
    method = models.CharField(_("méthode"), max_length=20, choices=Method)
    participants_agents = models.PositiveIntegerField(_("agents participants"), default=0)
    participants_citizens = models.PositiveIntegerField(_("allocataires participants"), default=0)
    participants_partners = models.PositiveIntegerField(_("partenaires participants"), default=0)
    materials = models.TextField(_("supports et matériel"), blank=True)
    debrief = models.TextField(_("compte rendu"), blank=True)
    debrief_file = models.FileField(
        _("document de restitution"),
        upload_to=RandomName("sessions"),
        storage=get_private_storage,
        blank=True,
    )
    is_held = models.BooleanField(_("tenue"), default=False)

    objects = CreativitySessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("séance de créativité")
        verbose_name_plural = _("séances de créativité")
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("ideas:session-detail", kwargs={"pk": self.pk})

    @property
    def participants_total(self) -> int:
        return self.participants_agents + self.participants_citizens + self.participants_partners
