"""Routes of the evaluation app: plans (see evaluation/urls.py)."""

urlpatterns: list = []
