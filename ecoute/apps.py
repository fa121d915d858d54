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
        # Public pages cached until a consultation, restitution or contribution changes.
        from ecoute import public_cache

        public_cache.connect()
        # Authors and supporters of contributions taken into a project hear of its next stages.
        stage_changed.connect(on_project_stage_changed, dispatch_uid="ecoute.project_stage")
