from django.urls import path

from evaluation import views
from evaluation.views import effects, indicators, judgements, participation, plans, reports

app_name = "evaluation"

# The plan's items share three views, told apart by `kind`.
ITEM_ROUTES = (
    ("group", "parties-prenantes"),
    ("question", "questions"),
    ("step", "etapes"),
    ("link", "liens"),
)

urlpatterns = [
    path("", views.EvaluationIndexView.as_view(), name="index"),
    # the evaluation plan, its versions and items
    path("projets/<str:code>/", plans.plan_detail, name="plan"),
    path("projets/<str:code>/plan/", plans.plan_update, name="plan-update"),
    path("projets/<str:code>/versions/", plans.version_create, name="version-create"),
    path("versions/<int:pk>/", plans.version_detail, name="version-detail"),
    *(
        route
        for kind, slug in ITEM_ROUTES
        for route in (
            path(
                f"projets/<str:code>/{slug}/ajouter/",
                plans.item_create,
                {"kind": kind},
                name=f"{kind}-create",
            ),
            path(f"{slug}/<int:pk>/", plans.item_update, {"kind": kind}, name=f"{kind}-update"),
            path(
                f"{slug}/<int:pk>/supprimer/",
                plans.item_delete,
                {"kind": kind},
                name=f"{kind}-delete",
            ),
        )
    ),
    # indicators and measurements
    path("projets/<str:code>/indicateurs/", indicators.indicator_list, name="indicator-list"),
    path(
        "projets/<str:code>/indicateurs/ajouter/",
        indicators.indicator_create,
        name="indicator-create",
    ),
    path("indicateurs/<int:pk>/", indicators.indicator_detail, name="indicator-detail"),
    path("indicateurs/<int:pk>/modifier/", indicators.indicator_update, name="indicator-update"),
    path("indicateurs/<int:pk>/cibles/", indicators.target_set, name="target-set"),
    path("cibles/<int:pk>/supprimer/", indicators.target_delete, name="target-delete"),
    path("indicateurs/<int:pk>/mesures/", indicators.measurement_create, name="measurement-create"),
    path("mesures/<int:pk>/supprimer/", indicators.measurement_delete, name="measurement-delete"),
    path(
        "projets/<str:code>/mesures/importer/",
        indicators.measurement_import,
        name="measurement-import",
    ),
    path(
        "projets/<str:code>/mesures/modele.csv",
        indicators.measurement_template,
        name="measurement-template",
    ),
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
    # reports and recommendations
    path("projets/<str:code>/rapports/", reports.report_list, name="report-list"),
    path("projets/<str:code>/rapports/demander/", reports.report_create, name="report-create"),
    path(
        "rapports/portefeuille/demander/",
        reports.portfolio_report_create,
        name="portfolio-report-create",
    ),
    path("rapports/<int:pk>/", reports.report_detail, name="report-detail"),
    path("rapports/<int:pk>/pdf/", reports.report_download, name="report-download"),
    path("rapports/<int:pk>/publier/", reports.report_publish, name="report-publish"),
    path("rapports/<int:pk>/relancer/", reports.report_retry, name="report-retry"),
    path("projets/<str:code>/recommandations/", reports.recommendations, name="recommendations"),
    path(
        "recommandations/<int:pk>/modifier/",
        reports.recommendation_update,
        name="recommendation-update",
    ),
    path("recommandations/<int:pk>/reponse/", reports.response_edit, name="response-edit"),
]
