from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Évaluation participative")

    def ready(self) -> None:
        from evaluation import (
            permissions,  # noqa: F401  (registers the rules)
            personal_data,
            tasks_participation,  # noqa: F401  (registers the tasks)
        )

        personal_data.register()
        from evaluation.services.effects import open_severe_effects_block_go
        from projects.gate_checks import register_go_blocker

        # An open severe negative effect blocks a "go" at the next gate review.
        register_go_blocker(open_severe_effects_block_go)
