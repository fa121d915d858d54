"""Routes of the evaluation app: participation (see evaluation/urls.py)."""

from django.urls import path

from evaluation.views import effects, judgements, participation

urlpatterns: list = [
    # surveys
    path("projets/<str:code>/enquetes/", participation.surveys, name="surveys"),
    path(
        "projets/<str:code>/enquetes/nouvelle/", participation.survey_create, name="survey-create"
    ),
    path("enquetes/<int:pk>/", participation.survey_detail, name="survey-detail"),
    path(
        "enquetes/<int:pk>/questions/ajouter/",
        participation.survey_question_create,
        name="survey-question-create",
    ),
    path(
        "enquetes/<int:pk>/questions/<int:question_pk>/modifier/",
        participation.survey_question_update,
        name="survey-question-update",
    ),
    path(
        "enquetes/<int:pk>/questions/<int:question_pk>/masquer/",
        participation.survey_question_toggle,
        name="survey-question-toggle",
    ),
    path(
        "enquetes/<int:pk>/questions/<int:question_pk>/supprimer/",
        participation.survey_question_delete,
        name="survey-question-delete",
    ),
    path("enquetes/<int:pk>/vagues/ajouter/", participation.wave_create, name="survey-wave-create"),
    path("enquetes/<int:pk>/comparaison/", participation.survey_compare, name="survey-compare"),
    path("vagues/<int:pk>/inviter/", participation.wave_invite, name="survey-wave-invite"),
    # answering through an invitation (no account)
    path("repondre/merci/", participation.survey_thanks, name="survey-thanks"),
    path("repondre/<str:token>/", participation.survey_answer, name="survey-answer"),
    # testimonies
    path("projets/<str:code>/temoignages/", participation.testimonies, name="testimonies"),
    path(
        "projets/<str:code>/temoignages/ajouter/",
        participation.testimony_create,
        name="testimony-create",
    ),
    # the effects register
    path("projets/<str:code>/effets/", effects.effects, name="effects"),
    path("projets/<str:code>/effets/signaler/", effects.effect_create, name="effect-create"),
    path("effets/<int:pk>/", effects.effect_detail, name="effect-detail"),
    path("effets/<int:pk>/statut/", effects.effect_transition, name="effect-transition"),
    # judgements and the ecological assessment
    path("projets/<str:code>/jugements/", judgements.judgements, name="judgements"),
    path(
        "projets/<str:code>/jugements/<slug:criterion>/",
        judgements.judgement_edit,
        name="judgement-edit",
    ),
    path(
        "projets/<str:code>/transition-ecologique/",
        judgements.ecological_edit,
        name="ecological-edit",
    ),
]
