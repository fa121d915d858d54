from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdeasConfig(AppConfig):
    """Where innovations come from: the idea box, challenges and creativity sessions. It plugs
    into the portfolio like the other sources (an idea becomes a project, a project lists its
    origins) and into the platform through its registries."""

    name = "ideas"
    verbose_name = _("Boîte à idées, défis et séances de créativité")

    def ready(self) -> None:
        from ideas import (
            engagement,
            permissions,  # noqa: F401  (registers the rules)
            personal_data,
        )

        personal_data.register()
        engagement.register_engagement()
        # The people of a project's sources hear of its stages (projects.origins).
        from ideas.services.lineage import on_project_stage_changed
        from projects.signals import stage_changed

        stage_changed.connect(on_project_stage_changed, dispatch_uid="ideas.origin_stage")
        from caflab.core.panels import register_panel
        from ideas import panels

        register_panel(
            "portfolio_dashboard",
            name="ideas",
            template="ideas/includes/dashboard_panel.html",
            context=panels.portfolio_dashboard,
            order=10,
        )
        # A source's page (a contribution, an initiative…: projects.origins) shows what it
        # became, or the button that turns it into an idea.
        register_panel(
            "origin",
            name="ideas",
            template="ideas/includes/origin_panel.html",
            context=panels.origin,
            order=10,
        )
        # Its part of the home's "Ce qui vous attend" (caflab.core.waiting).
        from caflab.core.waiting import WAITING_TEMPLATE
        from ideas import home

        register_panel(
            "home", name="ideas", template=WAITING_TEMPLATE, context=home.context, order=20
        )
