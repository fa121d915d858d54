"""The idea box, challenges and creativity sessions. Mounted under /projets/ beside the
portfolio (the addresses predate the app), before it so that "idees/" is never read as a
project code."""

from django.urls import path

from ideas.views import calendars, challenges, ideas, lineage, sessions

app_name = "ideas"

urlpatterns = [
    # the idea box
    path("idees/", ideas.IdeaListView.as_view(), name="idea-list"),
    path("idees/proposer/", ideas.IdeaCreateView.as_view(), name="idea-create"),
    path("idees/similaires/", ideas.similar_ideas, name="idea-similar"),
    path("idees/les-miennes/", ideas.MyIdeasView.as_view(), name="my-ideas"),
    path("idees/tri/", ideas.TriageView.as_view(), name="triage"),
    path("idees/tri/attribuer/", ideas.triage_assign, name="triage-assign"),
    path("idees/<int:pk>/", ideas.IdeaDetailView.as_view(), name="idea-detail"),
    path(
        "idees/depuis/<str:model>/<int:pk>/",
        lineage.idea_from_origin,
        name="idea-from-origin",
    ),
    path(
        "idees/depuis/<str:model>/<int:pk>/rattacher/",
        lineage.origin_attach,
        name="origin-attach",
    ),
    path(
        "idees/depuis/<str:model>/<int:pk>/suivi/",
        lineage.origin_follow,
        name="origin-follow",
    ),
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
    path("seances/<int:pk>/seance.ics", calendars.session_ical, name="session-ical"),
    path("seances/agenda.ics", calendars.sessions_feed, name="session-feed"),
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
]
