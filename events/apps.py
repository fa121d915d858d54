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
        # A programme's events' syntheses and proposals as texts to analyse (the analysis asks
        # the core's registry: the events, beside it in the layers, may not import it).
        from caflab.core.textsources import register_source
        from events.analysis_sources import PROGRAMME_SYNTHESES

        register_source(PROGRAMME_SYNTHESES)
        # The satisfaction questionnaires: écoute consultations reserved to those who came.
        from ecoute.reserved import Reservation, register_reservation
        from events.models import Satisfaction

        register_reservation(
            Reservation(
                name="events.satisfaction",
                reserved=lambda: Satisfaction.objects.values("consultation_id"),
                open_to=lambda user: Satisfaction.objects.open_to(user).values("consultation_id"),
            )
        )
        # Its part of the home's "Ce qui vous attend" (caflab.core.waiting): my registrations.
        from caflab.core.panels import register_panel
        from caflab.core.waiting import WAITING_TEMPLATE
        from events import home

        register_panel(
            "home", name="events", template=WAITING_TEMPLATE, context=home.context, order=60
        )
        # A programme's page: the events of the programme.
        from events import programme

        register_panel(
            "programme",
            name="events",
            template="events/includes/programme_panel.html",
            context=programme.context,
            order=40,
        )
