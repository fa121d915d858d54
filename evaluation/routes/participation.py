"""Routes of the evaluation app: participation (see evaluation/urls.py)."""

urlpatterns: list = []
