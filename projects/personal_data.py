"""The portfolio's sections of "my data" (caflab.accounts.personal_data): ideas written or
co-written, comments, supports, project-team memberships, and the person's name on the
portfolio's records (projects led, gate reviews, scores, status reports, deployments,
challenges, creativity sessions). On erasure, supports, co-authorships, team places and the
many-to-many places (reviewers, jury, entry teams, facilitators) go; ideas and comments stay
(others built on them: triage, merges, projects), signed by the anonymised account, and the
portfolio's records stay without the name (SET_NULL) or signed by the tombstone (PROTECT)."""

from django.db.models import CharField, F, IntegerField, Value
from django.db.models.functions import Substr
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caflab.accounts import personal_data
from caflab.accounts.personal_data import Attribution
from projects.models import (
    Adaptation,
    BlockerLever,
    Challenge,
    ChallengeEntry,
    CreativitySession,
    Deployment,
    DeploymentChange,
    EntryScore,
    GateReview,
    GateScore,
    Idea,
    IdeaAttachment,
    IdeaComment,
    IdeaCommentReport,
    IdeaScore,
    IdeaStatusChange,
    IdeaSupport,
    Project,
    SessionRequest,
    SessionRequestChange,
    StageChange,
    StatusReport,
    TeamMember,
)

ATTRIBUTIONS = [
    Attribution(Project, "lead", gettext_lazy("Vous en êtes chef de projet"), "title"),
    Attribution(Project, "created_by", gettext_lazy("Créé par vous"), "title"),
    Attribution(
        StageChange,
        "changed_by",
        gettext_lazy("Étape changée par vous"),
        "project__title",
        "changed_at",
    ),
    Attribution(GateReview, "requested_by", gettext_lazy("Demandée par vous"), "project__title"),
    Attribution(
        GateReview, "decided_by", gettext_lazy("Décidée par vous"), "project__title", "decided_at"
    ),
    Attribution(GateReview, "reviewers", gettext_lazy("Vous en êtes relecteur"), "project__title"),
    Attribution(GateScore, "reviewer", gettext_lazy("Notée par vous"), "review__project__title"),
    Attribution(StatusReport, "author", gettext_lazy("Rédigé par vous"), "project__title"),
    Attribution(BlockerLever, "owner", gettext_lazy("Vous en êtes responsable"), "text"),
    Attribution(
        Deployment, "local_lead", gettext_lazy("Vous en êtes le référent local"), "project__title"
    ),
    Attribution(Deployment, "declared_by", gettext_lazy("Déclaré par vous"), "project__title"),
    Attribution(
        DeploymentChange,
        "changed_by",
        gettext_lazy("Statut changé par vous"),
        "deployment__project__title",
        "changed_at",
    ),
    Attribution(Adaptation, "author", gettext_lazy("Décrite par vous"), "what"),
    Attribution(Idea, "reviewer", gettext_lazy("Vous l'instruisez"), "title"),
    Attribution(
        IdeaStatusChange,
        "changed_by",
        gettext_lazy("Statut changé par vous"),
        "idea__title",
        "changed_at",
    ),
    Attribution(
        IdeaComment, "moderated_by", gettext_lazy("Modéré par vous"), "idea__title", "moderated_at"
    ),
    Attribution(IdeaAttachment, "uploaded_by", gettext_lazy("Déposée par vous"), "original_name"),
    Attribution(IdeaScore, "reviewer", gettext_lazy("Notée par vous"), "idea__title"),
    Attribution(Challenge, "created_by", gettext_lazy("Créé par vous"), "title"),
    Attribution(Challenge, "jury", gettext_lazy("Vous êtes membre du jury"), "title"),
    Attribution(ChallengeEntry, "submitted_by", gettext_lazy("Déposée par vous"), "title"),
    Attribution(ChallengeEntry, "members", gettext_lazy("Vous êtes dans l'équipe"), "title"),
    Attribution(EntryScore, "reviewer", gettext_lazy("Notée par vous"), "entry__title"),
    Attribution(SessionRequest, "requested_by", gettext_lazy("Demandée par vous"), "title"),
    Attribution(SessionRequest, "handled_by", gettext_lazy("Traitée par vous"), "title"),
    Attribution(
        SessionRequestChange,
        "changed_by",
        gettext_lazy("Statut changé par vous"),
        "request__title",
        "changed_at",
    ),
    Attribution(
        CreativitySession, "facilitators", gettext_lazy("Vous l'animez"), "title", "held_on"
    ),
]


def export_ideas(user) -> list[dict]:
    ideas = (Idea.objects.filter(author=user) | Idea.objects.filter(co_authors=user)).distinct()
    return [
        {
            _("Titre"): idea.title,
            _("Problème constaté"): idea.problem,
            _("Solution proposée"): idea.solution,
            _("Statut"): idea.get_status_display(),
            _("Déposée le"): idea.created_at,
            _("Vous en êtes"): _("l'auteur") if idea.author_id == user.pk else _("co-auteur"),
        }
        for idea in ideas.order_by("created_at", "pk")
    ]


def export_comments(user) -> list[dict]:
    return [
        {_("Idée"): c.idea.title, _("Commentaire"): c.text, _("Écrit le"): c.created_at}
        for c in IdeaComment.objects.filter(author=user)
        .select_related("idea")
        .order_by("created_at", "pk")
    ]


def export_supports(user) -> list[dict]:
    """The supports, then the reports: one UNION query."""
    supports = IdeaSupport.objects.filter(user=user).annotate(
        _kind=Value(0, output_field=IntegerField()),
        _title=F("idea__title"),
        _reason=Value("", output_field=CharField()),
    )
    reports = IdeaCommentReport.objects.filter(reporter=user).annotate(
        _kind=Value(1, output_field=IntegerField()),
        _title=Substr("comment__text", 1, 80),
        _reason=F("reason"),
    )
    fields = ("_kind", "created_at", "pk", "_title", "_reason")
    union = supports.values_list(*fields).union(reports.values_list(*fields), all=True)
    return [
        {_("Idée soutenue"): title, _("Le"): at}
        if kind == 0
        else {_("Commentaire signalé"): title, _("Motif"): reason, _("Le"): at}
        for kind, at, _pk, title, reason in sorted(union)
    ]


def export_team_memberships(user) -> list[dict]:
    return [
        {
            _("Projet"): m.project.title,
            _("Rôle dans l'équipe"): m.get_role_display(),
            _("Membre depuis le"): m.created_at,
        }
        for m in TeamMember.objects.filter(user=user)
        .select_related("project")
        .order_by("created_at", "pk")
    ]


def export_activity(user) -> list[dict]:
    return personal_data.export_attributions(user, ATTRIBUTIONS)


def erase(user) -> None:
    IdeaSupport.objects.filter(user=user).delete()
    IdeaCommentReport.objects.filter(reporter=user).delete()
    Idea.co_authors.through.objects.filter(user=user).delete()


def erase_portfolio(user) -> None:
    TeamMember.objects.filter(user=user).delete()
    personal_data.leave_places(user, ATTRIBUTIONS)


def register() -> None:
    personal_data.register(
        "projects.ideas",
        gettext_lazy("Vos idées"),
        export=export_ideas,
        erase=erase,
        order=50,
        covers=[
            ("projects.Idea", "author"),
            ("projects.Idea", "co_authors"),
            ("projects.IdeaSupport", "user"),
            ("projects.IdeaCommentReport", "reporter"),
        ],
    )
    personal_data.register(
        "projects.comments",
        gettext_lazy("Vos commentaires sur les idées"),
        export_comments,
        order=51,
        covers=[("projects.IdeaComment", "author")],
    )
    personal_data.register(
        "projects.supports",
        gettext_lazy("Les idées que vous soutenez et vos signalements"),
        export_supports,
        order=52,
        covers=[("projects.IdeaSupport", "user"), ("projects.IdeaCommentReport", "reporter")],
    )
    personal_data.register(
        "projects.teams",
        gettext_lazy("Les équipes projet dont vous êtes membre"),
        export_team_memberships,
        erase=erase_portfolio,
        order=53,
        covers=[("projects.TeamMember", "user")],
    )
    personal_data.register(
        "projects.activity",
        gettext_lazy("Votre nom sur le portefeuille d'innovations"),
        export_activity,
        order=54,
        covers=[a.cover for a in ATTRIBUTIONS],
    )
