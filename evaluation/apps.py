from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Évaluation participative")

    def ready(self) -> None:
        from evaluation import (
            permissions,  # noqa: F401  (registers the rules)
            personal_data,
        )

        personal_data.register()
        from evaluation.services.effects import open_severe_effects_block_go
        from projects.gate_checks import register_go_blocker

        # An open severe negative effect blocks a "go" at the next gate review.
        register_go_blocker(open_severe_effects_block_go)

        # Survey answers are written by écoute's anonymous batches: each tied to its wave there,
        # and a survey with no open wave has its waiting answers written at once.
        from ecoute.services.batches import register_closed_check, register_link
        from evaluation.services.participation import (
            WAVE_LINK,
            questionnaires_without_open_wave,
            wave_links_create,
        )

        register_link(WAVE_LINK, wave_links_create)
        register_closed_check(questionnaires_without_open_wave)

        # Its sections of the project page and of a Caf's dashboard.
        from caflab.core.panels import register_panel
        from evaluation.panels import caf_dashboard, project_page

        register_panel(
            "project",
            name="evaluation",
            template="evaluation/includes/project_panel.html",
            context=project_page.context,
            order=100,
        )
        register_panel(
            "caf_dashboard",
            name="evaluation",
            template="evaluation/includes/caf_dashboard_panel.html",
            context=caf_dashboard.context,
            order=40,
        )
        # The director's cockpit: negative effects open, evaluations in progress, reports.
        from evaluation.panels import cockpit

        register_panel(
            "portfolio_dashboard",
            name="evaluation",
            template="evaluation/includes/cockpit_panel.html",
            context=cockpit.context,
            order=30,
        )
        # Its part of the home's "Ce qui vous attend" (caflab.core.waiting).
        from caflab.core.waiting import WAITING_TEMPLATE
        from evaluation import home

        register_panel(
            "home", name="evaluation", template=WAITING_TEMPLATE, context=home.context, order=50
        )
