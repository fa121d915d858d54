from django.urls import path

from evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("", views.EvaluationIndexView.as_view(), name="index"),
]
