from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Événements")

    def ready(self) -> None:
        from events import (
            permissions,  # noqa: F401  (registers the rules)
            personal_data,
        )

        personal_data.register()
