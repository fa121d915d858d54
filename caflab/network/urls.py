from django.urls import path

from caflab.network import views

app_name = "network"

urlpatterns = [
    path("caf/", views.CafListView.as_view(), name="caf-list"),
    path("caf/<str:code>/", views.CafDashboardView.as_view(), name="caf-dashboard"),
]
