from django.urls import path

from events import views

app_name = "events"

urlpatterns = [
    path("", views.CatalogueView.as_view(), name="index"),
    path("mes-inscriptions/", views.MineView.as_view(), name="mine"),
    path("mes-inscriptions/agenda/renouveler/", views.calendar_rotate, name="calendar-rotate"),
    path("agenda/<str:token>/mes-inscriptions.ics", views.personal_feed, name="personal-feed"),
    path("agenda.ics", views.feed, name="feed"),
    path("chiffres/", views.FiguresView.as_view(), name="figures"),
    path("nouveau/", views.EventCreateView.as_view(), name="create"),
    path("<int:pk>/", views.EventDetailView.as_view(), name="detail"),
    path("<int:pk>/modifier/", views.EventUpdateView.as_view(), name="update"),
    path("<int:pk>/publier/", views.event_publish, name="publish"),
    path("<int:pk>/annuler/", views.event_cancel, name="cancel"),
    path("<int:pk>/inscription/", views.register, name="register"),
    path("<int:pk>/desinscription/", views.unregister, name="unregister"),
    path("<int:pk>/evenement.ics", views.event_ical, name="ical"),
    path("<int:pk>/presence/", views.AttendanceView.as_view(), name="attendance"),
    path("<int:pk>/supports/ajouter/", views.material_add, name="material-add"),
    path("<int:pk>/synthese/", views.synthesis_save, name="synthesis"),
    path("<int:pk>/propositions/ajouter/", views.proposal_add, name="proposal-add"),
    path("<int:pk>/satisfaction/envoyer/", views.satisfaction_send, name="satisfaction-send"),
    path("propositions/<int:pk>/", views.proposal_detail, name="proposal"),
    path("supports/<int:pk>/", views.material_download, name="material"),
    path("supports/<int:pk>/supprimer/", views.material_delete, name="material-delete"),
]
