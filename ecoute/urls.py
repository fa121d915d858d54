from django.urls import path

from ecoute.views import answering, builder, communities, manage, public, results

app_name = "ecoute"

urlpatterns = [
    path("", public.ConsultationIndexView.as_view(), name="index"),
    # managers: consultations
    path("gestion/", manage.ManageListView.as_view(), name="manage"),
    path("gestion/nouvelle/", manage.ConsultationCreateView.as_view(), name="create"),
    path("gestion/<int:pk>/", manage.ManageDetailView.as_view(), name="manage-detail"),
    path("gestion/<int:pk>/modifier/", manage.ConsultationUpdateView.as_view(), name="update"),
    path("gestion/<int:pk>/statut/", manage.status_move, name="status"),
    # managers: the questionnaire builder
    path("gestion/<int:pk>/questionnaire/", builder.builder, name="builder"),
    path("gestion/<int:pk>/apercu/", answering.PreviewView.as_view(), name="preview"),
    path("gestion/<int:pk>/sections/ajouter/", builder.section_create, name="section-create"),
    path("gestion/sections/<int:pk>/modifier/", builder.section_update, name="section-update"),
    path("gestion/sections/<int:pk>/deplacer/", builder.section_move, name="section-move"),
    path("gestion/sections/<int:pk>/masquer/", builder.section_toggle, name="section-toggle"),
    path("gestion/sections/<int:pk>/supprimer/", builder.section_delete, name="section-delete"),
    path(
        "gestion/sections/<int:pk>/questions/ajouter/",
        builder.question_create,
        name="question-create",
    ),
    path("gestion/questions/<int:pk>/modifier/", builder.question_update, name="question-update"),
    path("gestion/questions/<int:pk>/deplacer/", builder.question_move, name="question-move"),
    path("gestion/questions/<int:pk>/masquer/", builder.question_toggle, name="question-toggle"),
    path("gestion/questions/<int:pk>/supprimer/", builder.question_delete, name="question-delete"),
    # managers: results and exports
    path("gestion/<int:pk>/resultats/", results.results, name="results"),
    path("gestion/questions/<int:pk>/reponses/", results.free_text, name="free-text"),
    path("gestion/<int:pk>/exporter/", results.export_create, name="export-create"),
    path("exports/<int:pk>/", results.export_detail, name="export-detail"),
    path("exports/<int:pk>/telecharger/", results.export_download, name="export-download"),
    # communities: managers' pages, members' pages, invitations
    path("communautes/", communities.CommunityListView.as_view(), name="community-list"),
    path(
        "communautes/nouvelle/",
        communities.CommunityCreateView.as_view(),
        name="community-create",
    ),
    path("communautes/miennes/", communities.MyCommunitiesView.as_view(), name="my-communities"),
    path(
        "communautes/invitation/<str:token>/",
        communities.invitation,
        name="community-invitation",
    ),
    path("communautes/<int:pk>/", communities.community_detail, name="community-detail"),
    path(
        "communautes/<int:pk>/inviter/",
        communities.community_invite_view,
        name="community-invite",
    ),
    path("communautes/<int:pk>/rejoindre/", communities.community_join, name="community-join"),
    path("communautes/<int:pk>/quitter/", communities.community_leave, name="community-leave"),
    path(
        "gestion/<int:pk>/inviter-la-communaute/",
        communities.consultation_invite,
        name="consultation-invite-community",
    ),
    # one consultation, for respondents (after the fixed paths: a slug never shadows them)
    path("<slug:slug>/", public.ConsultationDetailView.as_view(), name="detail"),
    path("<slug:slug>/repondre/", answering.AnswerView.as_view(), name="answer"),
    path("<slug:slug>/saisie-assistee/", answering.AssistedAnswerView.as_view(), name="assist"),
    path("<slug:slug>/merci/", answering.ThanksView.as_view(), name="thanks"),
]
