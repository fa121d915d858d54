from django.urls import path, register_converter

from projects import feeds
from projects.converters import ProjectCodeConverter
from projects.views import essaimage, gates, portfolio, programmes, project

register_converter(ProjectCodeConverter, "code")

app_name = "projects"

urlpatterns = [
    # portfolio views
    path("", portfolio.ProjectListView.as_view(), name="index"),
    path("tableau/", portfolio.KanbanView.as_view(), name="kanban"),
    path("entonnoir/", portfolio.FunnelView.as_view(), name="funnel"),
    path("pilotage/", portfolio.DashboardView.as_view(), name="dashboard"),
    path("pilotage/freins-leviers/", portfolio.LeverListView.as_view(), name="levers"),
    path("export/<str:fmt>/", portfolio.export, name="export"),
    # the public news of the portfolio (Atom and RSS)
    path("flux/actualites.rss", feeds.ProjectNewsFeed(), name="feed-news-rss"),
    path("flux/actualites.atom", feeds.ProjectNewsAtom(), name="feed-news-atom"),
    # programmes (the ecological transition…): their projects, assessment, events, spread
    path("programmes/", programmes.ProgrammeListView.as_view(), name="programme-list"),
    path(
        "programmes/<slug:slug>/",
        programmes.ProgrammeDetailView.as_view(),
        name="programme-detail",
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
    path(
        "<code:code>/freins-leviers/<int:pk>/arbitrage/",
        project.lever_escalate,
        name="lever-escalate",
    ),
    path("<code:code>/freins-leviers/<int:pk>/actionner/", project.lever_pull, name="lever-pull"),
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
