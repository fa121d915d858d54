from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Portefeuille d’innovations")

    def ready(self) -> None:
        from projects import (
            permissions,  # noqa: F401  (registers the rules)
            personal_data,
        )

        personal_data.register()
        from caflab.core.panels import register_panel
        from projects import panels

        register_panel(
            "caf_dashboard",
            name="projects",
            template="projects/includes/caf_dashboard_panel.html",
            context=panels.caf_dashboard,
            order=10,
        )
        # Its part of the home's "Ce qui vous attend" (caflab.core.waiting).
        from caflab.core.waiting import WAITING_TEMPLATE
        from projects import home

        register_panel(
            "home", name="projects", template=WAITING_TEMPLATE, context=home.context, order=10
        )
