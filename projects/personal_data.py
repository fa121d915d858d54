"""The portfolio's sections of "my data" (caflab.accounts.personal_data): project-team
memberships and the person's name on the portfolio's records (projects led, gate reviews,
scores, status reports, deployments). On erasure, team places and the many-to-many places
(reviewers) go; the portfolio's records stay without the name (SET_NULL) or signed by the
tombstone (PROTECT)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caflab.accounts import personal_data
from caflab.accounts.personal_data import Attribution
from projects.models import (
    Adaptation,
    BlockerLever,
    Deployment,
    DeploymentChange,
    GateReview,
    GateScore,
    OriginOptOut,
    Project,
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
        BlockerLever, "escalated_by", gettext_lazy("Soumis par vous à la direction"), "text"
    ),
    Attribution(BlockerLever, "pulled_by", gettext_lazy("Arbitré par vous"), "text"),
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
]


def export_team_memberships(user) -> list[dict]:
    return [
        {
            _("Projet"): m.project.title,
            _("Rôle dans l’équipe"): m.get_role_display(),
            _("Membre depuis le"): m.created_at,
        }
        for m in TeamMember.objects.filter(user=user)
        .select_related("project")
        .order_by("created_at", "pk")
    ]


def export_opt_outs(user) -> list[dict]:
    return [
        {
            _("Contenu"): str(o.source or f"{o.content_type.name} {o.object_id}"),
            _("Type"): o.content_type.name,
            _("Depuis le"): o.created_at,
        }
        for o in OriginOptOut.objects.filter(user=user)
        .select_related("content_type")
        .order_by("created_at", "pk")
    ]


def erase_opt_outs(user) -> None:
    OriginOptOut.objects.filter(user=user).delete()


def export_activity(user) -> list[dict]:
    return personal_data.export_attributions(user, ATTRIBUTIONS)


def erase_portfolio(user) -> None:
    TeamMember.objects.filter(user=user).delete()
    personal_data.leave_places(user, ATTRIBUTIONS)


def register() -> None:
    personal_data.register(
        "projects.teams",
        gettext_lazy("Les équipes projet dont vous êtes membre"),
        export_team_memberships,
        erase=erase_portfolio,
        order=53,
        covers=[("projects.TeamMember", "user")],
    )
    personal_data.register(
        "projects.origin_opt_outs",
        gettext_lazy("Les contenus dont vous ne suivez plus ce qu’ils deviennent"),
        export_opt_outs,
        erase=erase_opt_outs,
        order=55,
        covers=[("projects.OriginOptOut", "user")],
    )
    personal_data.register(
        "projects.activity",
        gettext_lazy("Votre nom sur le portefeuille d’innovations"),
        export_activity,
        order=54,
        covers=[a.cover for a in ATTRIBUTIONS],
    )
