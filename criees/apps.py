from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrieesConfig(AppConfig):
    name = "criees"
    verbose_name = _("Criées")

    def ready(self) -> None:
        from criees import (
            engagement,
            lineage,
            permissions,  # noqa: F401  (registers the rules)
            personal_data,
        )

        personal_data.register()
        engagement.register_engagement()
        # Initiatives as a source of ideas (projects.origins).
        lineage.register()
        # The comments on a criée's initiatives as texts to analyse (the analysis asks the
        # core's registry: the criées may not import it).
        from caflab.core.textsources import register_source
        from criees.analysis_sources import CRIEE_COMMENTS

        register_source(CRIEE_COMMENTS)
        from caflab.core.panels import register_panel
        from criees import panels

        register_panel(
            "caf_dashboard",
            name="criees",
            template="criees/includes/caf_dashboard_panel.html",
            context=panels.caf_dashboard,
            order=20,
        )
        # Its part of the home's "Ce qui vous attend" (caflab.core.waiting).
        from caflab.core.waiting import WAITING_TEMPLATE
        from criees import home

        register_panel(
            "home", name="criees", template=WAITING_TEMPLATE, context=home.context, order=30
        )
