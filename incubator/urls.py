from django.urls import path

from incubator import views

app_name = "incubator"

urlpatterns = [
    # calls for projects: the catalogue, a call, the lab's forms and moves
    path("appels/", views.call_list, name="index"),
    path("appels/nouveau/", views.call_create, name="call-create"),
    path("appels/<slug:slug>/", views.call_detail, name="call"),
    path("appels/<slug:slug>/modifier/", views.call_update, name="call-update"),
    path("appels/<slug:slug>/statut/", views.call_move, name="call-move"),
    path("appels/<slug:slug>/criteres/", views.call_criteria, name="call-criteria"),
    # applying, "mes candidatures", an application
    path("appels/<slug:slug>/candidature/", views.apply, name="apply"),
    path("candidatures/", views.mine, name="mine"),
    path("candidatures/<int:pk>/", views.application_detail, name="application"),
    # the jury and the lab's decisions
    path("appels/<slug:slug>/classement/", views.ranking, name="ranking"),
    path("candidatures/<int:pk>/noter/", views.application_score, name="application-score"),
    path("candidatures/<int:pk>/decision/", views.application_decide, name="application-decide"),
    # cohorts and their calendar
    path("appels/<slug:slug>/promotions/ajouter/", views.cohort_create, name="cohort-create"),
    path("promotions/<int:pk>/", views.cohort_detail, name="cohort"),
    path("promotions/<int:pk>/jalons/ajouter/", views.milestone_add, name="milestone-add"),
]
