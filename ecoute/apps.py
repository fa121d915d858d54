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

        personal_data.register()
