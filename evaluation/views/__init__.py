"""The evaluations' entry page; an honest empty state until the EvaluationPlan model lands."""

from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin

from evaluation import permissions  # noqa: F401  (registers the app's permissions)


class EvaluationIndexView(PermissionRequiredMixin, TemplateView):
    permission_required = "evaluation.view_evaluations"
    template_name = "evaluation/index.html"
