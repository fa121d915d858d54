from django.urls import path

from evaluation import views
from evaluation.routes import participation, plans, reports

app_name = "evaluation"

urlpatterns = [
    path("", views.EvaluationIndexView.as_view(), name="index"),
    *plans.urlpatterns,
    *participation.urlpatterns,
    *reports.urlpatterns,
]
