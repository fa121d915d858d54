from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Évaluation participative")

    def ready(self) -> None:
        from evaluation import permissions  # noqa: F401  (registers the rules)
