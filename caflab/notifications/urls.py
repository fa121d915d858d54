from django.urls import path

from caflab.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.NotificationListView.as_view(), name="list"),
    path("<int:pk>/ouvrir/", views.notification_open, name="open"),
    path("tout-lire/", views.notification_mark_all_read, name="mark-all-read"),
    path("desabonnement/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
