"""Routes of the evaluation app: plans and indicators (see evaluation/urls.py)."""

from django.urls import path

from evaluation.views import indicators, plans

# The plan's items share three views, told apart by `kind`.
ITEM_ROUTES = (
    ("group", "parties-prenantes"),
    ("question", "questions"),
    ("step", "etapes"),
    ("link", "liens"),
)

urlpatterns = [
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
]
