from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KitsConfig(AppConfig):
    name = "kits"
    verbose_name = _("Kits de prototypage et d’essaimage")

    def ready(self) -> None:
        from kits import (
            permissions,  # noqa: F401  (registers the rules)
            personal_data,
        )

        personal_data.register()
        # A blocking deliverable missing refuses a "go" (projects.gate_checks), without the
        # portfolio importing this app.
        from kits.services.deliverables import missing_blocking_deliverables
        from projects.gate_checks import register_go_blocker

        register_go_blocker(missing_blocking_deliverables)
        # Documents, the next gate's kit and the fiche d'essaimage on the project's page, the
        # initiative's page and the gate review's page (caflab.core.panels).
        from caflab.core.panels import register_panel
        from kits import panels

        register_panel(
            "project",
            name="kits",
            template="kits/includes/project_panel.html",
            context=panels.project_context,
            order=60,
        )
        register_panel(
            "initiative",
            name="kits",
            template="kits/includes/initiative_panel.html",
            context=panels.initiative_context,
            order=60,
        )
        register_panel(
            "gate_review",
            name="kits",
            template="kits/includes/gate_review_panel.html",
            context=panels.gate_review_context,
            order=60,
        )
