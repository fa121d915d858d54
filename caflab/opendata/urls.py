from django.urls import path

from caflab.opendata import views

app_name = "opendata"

urlpatterns = [
    path("", views.OpenDataView.as_view(), name="index"),
    path("datapackage.json", views.datapackage_json, name="datapackage"),
    path("<slug:slug>.csv", views.dataset_csv, name="csv"),
    path("<slug:slug>.json", views.dataset_json, name="json"),
    path("<slug:slug>/schema.json", views.dataset_schema, name="schema"),
]
