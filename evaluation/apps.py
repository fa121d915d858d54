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
        # The ecological-transition programme: its projects' assessment before experimentation,
        # and a negative rating without mitigation needs a justification for a "go".
        from evaluation.services.ecological import (
            missing_assessment_blocks_go,
            unmitigated_negative_ratings_block_go,
        )

        register_go_blocker(missing_assessment_blocks_go)
        register_go_blocker(unmitigated_negative_ratings_block_go)

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

        # The analysis of texts reads a project's testimonies and a survey's open answers.
        from analysis.sources import register_source
        from evaluation.analysis_sources import EVALUATION_SURVEY, PROJECT_TESTIMONIES

        register_source(PROJECT_TESTIMONIES)
        register_source(EVALUATION_SURVEY)

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
        # A programme's page (the aggregated ecological assessment, environmental indicators)
        # and the gate review (the project's assessment beside the ecological criterion).
        from evaluation.panels import gate_review, programme

        register_panel(
            "programme",
            name="evaluation",
            template="evaluation/includes/programme_panel.html",
            context=programme.context,
            order=20,
        )
        register_panel(
            "gate_review",
            name="evaluation-ecological",
            template="evaluation/includes/gate_review_panel.html",
            context=gate_review.context,
            order=20,
        )
