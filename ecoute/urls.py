from django.urls import path

from ecoute import feeds
from ecoute.views import (
    answering,
    builder,
    calendars,
    communities,
    contributions,
    follow_up,
    hear_back,
    manage,
    public,
    recruitment,
    restitution,
    results,
)

app_name = "ecoute"

urlpatterns = [
    path("", public.ConsultationIndexView.as_view(), name="index"),
    # managers: consultations
    path("gestion/", manage.ManageListView.as_view(), name="manage"),
    path("gestion/nouvelle/", manage.ConsultationCreateView.as_view(), name="create"),
    path("gestion/<int:pk>/", manage.ManageDetailView.as_view(), name="manage-detail"),
    path("gestion/<int:pk>/modifier/", manage.ConsultationUpdateView.as_view(), name="update"),
    path("gestion/<int:pk>/statut/", manage.status_move, name="status"),
    path(
        "gestion/<int:pk>/archiver-sans-restitution/",
        follow_up.archive_without_restitution,
        name="archive-without-restitution",
    ),
    path(
        "gestion/decisions/<int:pk>/suivi/",
        follow_up.decision_update_view,
        name="decision-update",
    ),
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
    path("reponses/<int:pk>/", results.answer_detail, name="written-answer"),
    path("ne-plus-recevoir/<str:token>/", hear_back.stop, name="hear-back-stop"),
    path("gestion/<int:pk>/exporter/", results.export_create, name="export-create"),
    path("exports/<int:pk>/", results.export_detail, name="export-detail"),
    path("exports/<int:pk>/telecharger/", results.export_download, name="export-download"),
    path("exports/<int:pk>/relancer/", results.export_retry, name="export-retry"),
    # managers: restitution and recruitment (phase 2)
    path("gestion/<int:pk>/restitution/", restitution.restitution_edit, name="restitution-edit"),
    path(
        "gestion/<int:pk>/restitution/apercu/",
        restitution.restitution_preview,
        name="restitution-preview",
    ),
    path(
        "gestion/<int:pk>/restitution/publier/",
        restitution.restitution_publish_view,
        name="restitution-publish",
    ),
    path(
        "gestion/<int:pk>/restitution/relancer-envoi/",
        restitution.restitution_mailing_retry_view,
        name="restitution-mailing-retry",
    ),
    path(
        "gestion/<int:pk>/recrutements/nouveau/",
        recruitment.recruitment_create,
        name="recruitment-create",
    ),
    path(
        "gestion/recrutements/<int:pk>/",
        recruitment.recruitment_manage,
        name="recruitment-manage",
    ),
    path(
        "gestion/recrutements/<int:pk>/modifier/",
        recruitment.recruitment_update,
        name="recruitment-update",
    ),
    path(
        "gestion/recrutements/<int:pk>/inscriptions.csv",
        recruitment.recruitment_export,
        name="recruitment-export",
    ),
    # participants of a recruitment
    path("recrutements/<int:pk>/", recruitment.recruitment_detail, name="recruitment"),
    path(
        "recrutements/<int:pk>/recrutement.ics",
        calendars.recruitment_ical,
        name="recruitment-ical",
    ),
    path("recrutements/agenda.ics", calendars.recruitments_feed, name="recruitment-feed"),
    # feeds (Atom and RSS): what anonymous visitors read
    path("flux/consultations.rss", feeds.OpenConsultationsFeed(), name="feed-consultations-rss"),
    path("flux/consultations.atom", feeds.OpenConsultationsAtom(), name="feed-consultations-atom"),
    path("flux/restitutions.rss", feeds.RestitutionsFeed(), name="feed-restitutions-rss"),
    path("flux/restitutions.atom", feeds.RestitutionsAtom(), name="feed-restitutions-atom"),
    path(
        "recrutements/mes-inscriptions/",
        recruitment.my_registrations,
        name="my-registrations",
    ),
    path(
        "recrutements/inscriptions/<int:pk>/annuler/",
        recruitment.registration_cancel_view,
        name="registration-cancel",
    ),
    path(
        "recrutements/annulation/<uuid:token>/",
        recruitment.registration_cancel_link,
        name="registration-cancel-link",
    ),
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
    path("<slug:slug>/restitution/", restitution.restitution_detail, name="restitution"),
    path("<slug:slug>/suivi/", follow_up.follow_up, name="follow-up"),
]

# Contributions (phase 2): fixed paths first, so a consultation's slug never shadows them.
urlpatterns += [
    path(
        "gestion/contributions/",
        contributions.moderation_queue,
        name="contribution-moderation",
    ),
    path("contributions/<int:pk>/", contributions.contribution_detail, name="contribution-detail"),
    path(
        "contributions/<int:pk>/soutenir/",
        contributions.contribution_support,
        name="contribution-support",
    ),
    path(
        "contributions/<int:pk>/signaler/",
        contributions.contribution_report,
        name="contribution-report",
    ),
    path(
        "contributions/<int:pk>/commenter/",
        contributions.comment_add,
        name="contribution-comment",
    ),
    path(
        "contributions/<int:pk>/reponse-officielle/",
        contributions.official_answer,
        name="contribution-answer",
    ),
    path(
        "contributions/commentaires/<int:pk>/signaler/",
        contributions.comment_report,
        name="contribution-comment-report",
    ),
    path(
        "contributions/commentaires/<int:pk>/moderer/",
        contributions.comment_moderate,
        name="contribution-comment-moderate",
    ),
    path("<slug:slug>/contributions/", contributions.contribution_list, name="contributions"),
    path(
        "<slug:slug>/contributions/proposer/",
        contributions.contribution_create,
        name="contribution-create",
    ),
]
