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
        # Proposals that came out of an event as a source of ideas (projects.origins).
        from events import lineage

        lineage.register()
        # Its part of the home's "Ce qui vous attend" (caflab.core.waiting): my registrations.
        from caflab.core.panels import register_panel
        from caflab.core.waiting import WAITING_TEMPLATE
        from events import home

        register_panel(
            "home", name="events", template=WAITING_TEMPLATE, context=home.context, order=60
        )
