from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EcouteConfig(AppConfig):
    name = "ecoute"
    verbose_name = _("La Caf à votre écoute")

    def ready(self) -> None:
        from ecoute import (
            permissions,  # noqa: F401  (registers the rules)
            personal_data,
        )
        from ecoute.services.contributions import on_project_stage_changed
        from projects.signals import stage_changed

        personal_data.register()
        # Supports, comments and their moderation (caflab.engagement), contributions in the
        # one moderation queue.
        from ecoute import engagement

        engagement.register_engagement()
        # Contributions as a source of ideas and projects (projects.origins).
        from ecoute import lineage

        lineage.register()
        # Public pages cached until a consultation, restitution or contribution changes.
        from ecoute import public_cache

        public_cache.connect()
        # Authors and supporters of contributions taken into a project hear of its next stages.
        stage_changed.connect(on_project_stage_changed, dispatch_uid="ecoute.project_stage")

        from caflab.core.panels import register_panel
        from ecoute import panels

        register_panel(
            "caf_dashboard",
            name="ecoute",
            template="ecoute/includes/caf_dashboard_panel.html",
            context=panels.caf_dashboard,
            order=30,
        )
        # The director's cockpit: the restitutions due and overdue.
        from ecoute import cockpit

        register_panel(
            "portfolio_dashboard",
            name="ecoute",
            template="ecoute/includes/cockpit_panel.html",
            context=cockpit.portfolio_dashboard,
            order=20,
        )
        # Its part of the home's "Ce qui vous attend" (caflab.core.waiting).
        from caflab.core.waiting import WAITING_TEMPLATE
        from ecoute import home

        register_panel(
            "home", name="ecoute", template=WAITING_TEMPLATE, context=home.context, order=40
        )
