from django.urls import path

from caflab.engagement import views

app_name = "engagement"

urlpatterns = [
    path("", views.queue, name="queue"),
]
