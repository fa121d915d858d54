from django.urls import path, register_converter

from projects.converters import ProjectCodeConverter
from projects.views import challenges, essaimage, gates, ideas, portfolio, project, sessions

register_converter(ProjectCodeConverter, "code")

app_name = "projects"

urlpatterns = [
    # portfolio views
    path("", portfolio.ProjectListView.as_view(), name="index"),
    path("tableau/", portfolio.KanbanView.as_view(), name="kanban"),
    path("entonnoir/", portfolio.FunnelView.as_view(), name="funnel"),
    path("pilotage/", portfolio.DashboardView.as_view(), name="dashboard"),
    path("export/<str:fmt>/", portfolio.export, name="export"),
    # the idea box
    path("idees/", ideas.IdeaListView.as_view(), name="idea-list"),
    path("idees/proposer/", ideas.IdeaCreateView.as_view(), name="idea-create"),
    path("idees/similaires/", ideas.similar_ideas, name="idea-similar"),
    path("idees/les-miennes/", ideas.MyIdeasView.as_view(), name="my-ideas"),
    path("idees/tri/", ideas.TriageView.as_view(), name="triage"),
    path("idees/tri/attribuer/", ideas.triage_assign, name="triage-assign"),
    path("idees/<int:pk>/", ideas.IdeaDetailView.as_view(), name="idea-detail"),
    path("idees/<int:pk>/modifier/", ideas.IdeaUpdateView.as_view(), name="idea-update"),
    path("idees/<int:pk>/soutenir/", ideas.idea_support, name="idea-support"),
    path("idees/<int:pk>/commenter/", ideas.idea_comment, name="idea-comment"),
    path(
        "idees/commentaires/<int:pk>/signaler/",
        ideas.idea_comment_report,
        name="idea-comment-report",
    ),
    path(
        "idees/commentaires/<int:pk>/moderer/",
        ideas.idea_comment_moderate,
        name="idea-comment-moderate",
    ),
    path("idees/<int:pk>/suivre/", ideas.idea_follow, name="idea-follow"),
    path("idees/<int:pk>/statut/", ideas.IdeaStatusView.as_view(), name="idea-status"),
    path("idees/<int:pk>/grille/", ideas.idea_score, name="idea-score"),
    path("idees/pieces-jointes/<int:pk>/", ideas.attachment_download, name="idea-attachment"),
    # challenges
    path("defis/", challenges.ChallengeListView.as_view(), name="challenge-list"),
    path("defis/nouveau/", challenges.ChallengeCreateView.as_view(), name="challenge-create"),
    path("defis/<int:pk>/", challenges.ChallengeDetailView.as_view(), name="challenge-detail"),
    path(
        "defis/<int:pk>/modifier/",
        challenges.ChallengeUpdateView.as_view(),
        name="challenge-update",
    ),
    path(
        "defis/<int:pk>/contribuer/",
        challenges.EntryCreateView.as_view(),
        name="challenge-entry-create",
    ),
    path(
        "defis/<int:pk>/classement/",
        challenges.RankingView.as_view(),
        name="challenge-ranking",
    ),
    path(
        "defis/<int:pk>/publier-resultats/",
        challenges.publish_results,
        name="challenge-publish",
    ),
    path("defis/contributions/<int:pk>/noter/", challenges.entry_score, name="entry-score"),
    path("defis/contributions/<int:pk>/idee/", challenges.entry_to_idea, name="entry-to-idea"),
    # creativity sessions
    path("seances/", sessions.SessionListView.as_view(), name="session-list"),
    path("seances/nouvelle/", sessions.SessionCreateView.as_view(), name="session-create"),
    path("seances/<int:pk>/", sessions.SessionDetailView.as_view(), name="session-detail"),
    path("seances/<int:pk>/modifier/", sessions.SessionUpdateView.as_view(), name="session-update"),
    path("seances/<int:pk>/idees/", sessions.SessionIdeasView.as_view(), name="session-ideas"),
    path("seances/<int:pk>/restitution/", sessions.debrief_download, name="session-debrief"),
    path("seances/demandes/", sessions.RequestListView.as_view(), name="session-request-list"),
    path(
        "seances/demandes/nouvelle/",
        sessions.RequestCreateView.as_view(),
        name="session-request-create",
    ),
    path(
        "seances/demandes/<int:pk>/",
        sessions.RequestDetailView.as_view(),
        name="session-request-detail",
    ),
    path(
        "seances/demandes/<int:pk>/statut/",
        sessions.request_move,
        name="session-request-move",
    ),
    # one project
    path("nouveau/", project.ProjectCreateView.as_view(), name="create"),
    path("<code:code>/", project.ProjectDetailView.as_view(), name="detail"),
    path("<code:code>/modifier/", project.ProjectUpdateView.as_view(), name="update"),
    path("<code:code>/fiche-publique/", project.PublicSheetView.as_view(), name="public-sheet"),
    path("<code:code>/suivre/", project.follow_toggle, name="follow"),
    path("<code:code>/equipe/", project.TeamView.as_view(), name="team"),
    path("<code:code>/points-etape/ajouter/", project.status_report_add, name="status-report-add"),
    path("<code:code>/freins-leviers/ajouter/", project.lever_add, name="lever-add"),
    path("<code:code>/freins-leviers/<int:pk>/lever/", project.lever_lift, name="lever-lift"),
    path("<code:code>/prototypes/ajouter/", project.prototype_add, name="prototype-add"),
    path("<code:code>/experimentations/ajouter/", project.experiment_add, name="experiment-add"),
    path("<code:code>/evenements/ajouter/", project.event_add, name="event-add"),
    # gate reviews
    path("<code:code>/revues/demander/", gates.GateRequestView.as_view(), name="gate-request"),
    path("<code:code>/revues/<int:pk>/", gates.GateReviewView.as_view(), name="gate-review"),
    path("<code:code>/revues/<int:pk>/noter/", gates.gate_score, name="gate-score"),
    path("<code:code>/revues/<int:pk>/decider/", gates.gate_decide, name="gate-decide"),
    # essaimage
    path("carte/", essaimage.NetworkMapView.as_view(), name="map"),
    path(
        "<code:code>/deploiements/", essaimage.ProjectDeploymentsView.as_view(), name="deployments"
    ),
    path(
        "<code:code>/deploiements/declarer/",
        essaimage.deployment_declare,
        name="deployment-declare",
    ),
    path("deploiements/<int:pk>/", essaimage.DeploymentDetailView.as_view(), name="deployment"),
    path("deploiements/<int:pk>/statut/", essaimage.deployment_move, name="deployment-move"),
    path(
        "deploiements/<int:pk>/adaptations/ajouter/",
        essaimage.adaptation_add,
        name="adaptation-add",
    ),
]
