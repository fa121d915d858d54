from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncubatorConfig(AppConfig):
    name = "incubator"
    verbose_name = _("Incubateur avec les partenaires de l’ESS")

    def ready(self) -> None:
        from incubator import (
            permissions,  # noqa: F401  (registers the rules)
            personal_data,
        )

        personal_data.register()
        # A call's application form: an écoute consultation reserved to nobody (only its
        # managers see it, in the builder); the answers live on the applications.
        from ecoute.reserved import Reservation, register_reservation
        from incubator.models import Call

        register_reservation(
            Reservation(
                name="incubator.call",
                reserved=lambda: Call.objects.values("consultation_id"),
                open_to=lambda user: Call.objects.none().values("consultation_id"),
            )
        )
        # The home's "Ce qui vous attend" (caflab.core.waiting): open calls and one's
        # applications; applications to decide for the lab.
        from caflab.core.panels import register_panel
        from caflab.core.waiting import WAITING_TEMPLATE
        from incubator import home

        register_panel(
            "home", name="incubator", template=WAITING_TEMPLATE, context=home.context, order=75
        )
