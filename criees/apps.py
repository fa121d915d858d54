from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrieesConfig(AppConfig):
    name = "criees"
    verbose_name = _("Criées")

    def ready(self) -> None:
        from criees import (
            permissions,  # noqa: F401  (registers the rules)
            personal_data,
        )

        personal_data.register()
