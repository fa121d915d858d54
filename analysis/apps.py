from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    name = "analysis"
    verbose_name = _("Analyse des textes")

    def ready(self) -> None:
        from analysis import (
            panels,
            permissions,  # noqa: F401  (registers the rules)
            personal_data,
        )
        from caflab.core.panels import register_panel

        personal_data.register()
        # A text its source stops showing (hidden by the moderation) leaves the analyses.
        from analysis.services.texts import texts_withdraw_copies
        from caflab.core.textsources import texts_withdrawn

        texts_withdrawn.connect(texts_withdraw_copies, dispatch_uid="analysis.texts_withdrawn")
        # The first draft of a restitution's "vous avez dit" comes from the codes.
        from analysis.results import restitution_draft
        from ecoute.services.restitution import register_synthesis_draft

        register_synthesis_draft(restitution_draft)
        # The consultation's management page links to its analysis (écoute imports nothing
        # of this app: its page asks the registry).
        register_panel(
            "consultation_manage",
            name="analysis",
            template="analysis/includes/consultation_panel.html",
            context=panels.consultation_manage,
            order=50,
        )
