"""Routes of the evaluation app: reports (see evaluation/urls.py)."""

urlpatterns: list = []
