from django.urls import path

from criees import feeds
from criees.views import calendars, catalogue, criee, followup, initiative, live
from criees.views.base import network_only

app_name = "criees"

urlpatterns = [
    # the catalogue of local initiatives (the criées' landing page)
    path("", catalogue.CatalogueView.as_view(), name="index"),
    path("initiatives/mes-initiatives/", catalogue.MineView.as_view(), name="mine"),
    # one initiative
    path("initiatives/nouvelle/", initiative.InitiativeCreateView.as_view(), name="create"),
    path("initiatives/<int:pk>/", initiative.InitiativeDetailView.as_view(), name="initiative"),
    path(
        "initiatives/<int:pk>/modifier/",
        initiative.InitiativeUpdateView.as_view(),
        name="initiative-update",
    ),
    path("initiatives/<int:pk>/soumettre/", initiative.initiative_submit, name="initiative-submit"),
    path("initiatives/<int:pk>/valider/", initiative.initiative_review, name="initiative-review"),
    path("initiatives/<int:pk>/fichiers/ajouter/", initiative.file_add, name="file-add"),
    path("initiatives/<int:pk>/images/ajouter/", initiative.image_add, name="image-add"),
    path("fichiers/<int:pk>/", initiative.file_download, name="file"),
    path("fichiers/<int:pk>/supprimer/", initiative.file_delete, name="file-delete"),
    path("images/<int:pk>/", initiative.image_download, name="image"),
    path("images/<int:pk>/supprimer/", initiative.image_delete, name="image-delete"),
    path("initiatives/<int:pk>/soutenir/", initiative.support_toggle, name="support"),
    path("initiatives/<int:pk>/suivre/", initiative.follow_toggle, name="follow"),
    path("initiatives/<int:pk>/commentaires/", initiative.comment_add, name="comment-add"),
    path(
        "initiatives/<int:pk>/commentaires/<int:comment>/",
        initiative.comment_detail,
        name="comment",
    ),
    path("commentaires/<int:pk>/signaler/", initiative.comment_report, name="comment-report"),
    path("commentaires/<int:pk>/moderer/", initiative.comment_moderate, name="comment-moderate"),
    path("moderation/", initiative.ModerationView.as_view(), name="moderation"),
    path("initiatives/<int:pk>/interet/", initiative.declare_interest, name="declare-interest"),
    path("initiatives/<int:pk>/promouvoir/", initiative.PromoteView.as_view(), name="promote"),
    # criée events and their programme
    path("evenements/", criee.CrieeListView.as_view(), name="criee-list"),
    path("evenements/nouvelle/", criee.CrieeCreateView.as_view(), name="criee-create"),
    path("evenements/<int:pk>/", criee.CrieeDetailView.as_view(), name="criee"),
    path("evenements/<int:pk>/criee.ics", calendars.criee_ical, name="criee-ical"),
    path("evenements/agenda.ics", calendars.criees_feed, name="criee-feed"),
    # feeds of the newly published initiatives (Atom and RSS), the network's like the catalogue
    path(
        "initiatives/flux.rss",
        network_only(feeds.PublishedInitiativesFeed()),
        name="feed-initiatives-rss",
    ),
    path(
        "initiatives/flux.atom",
        network_only(feeds.PublishedInitiativesAtom()),
        name="feed-initiatives-atom",
    ),
    path("evenements/<int:pk>/modifier/", criee.CrieeUpdateView.as_view(), name="criee-update"),
    path("evenements/<int:pk>/statut/", criee.criee_advance, name="criee-advance"),
    path("evenements/<int:pk>/proposer/", criee.propose, name="propose"),
    path("passages/<int:pk>/programmer/", criee.PitchScheduleView.as_view(), name="pitch-schedule"),
    path("passages/<int:pk>/ecarter/", criee.pitch_decline, name="pitch-decline"),
    path("passages/<int:pk>/deplacer/", criee.pitch_move, name="pitch-move"),
    path("passages/<int:pk>/decision/", followup.pitch_decide, name="pitch-decide"),
    # the live page
    path("evenements/<int:pk>/direct/", live.live, name="live"),
    path("evenements/<int:pk>/direct/compteurs/", live.live_counts, name="live-counts"),
    path("evenements/<int:pk>/direct/a-l-ecran/", live.live_current, name="live-current"),
    # follow-up, exports, dashboards
    path("evenements/<int:pk>/suivi/", followup.FollowupView.as_view(), name="followup"),
    path(
        "evenements/<int:pk>/export/<str:kind>/<str:fmt>/",
        followup.criee_export,
        name="criee-export",
    ),
    path("tableau-de-bord/", followup.DashboardView.as_view(), name="dashboard"),
    path(
        "tableau-de-bord/caf/<str:code>/",
        followup.CafDashboardView.as_view(),
        name="caf-dashboard",
    ),
]
