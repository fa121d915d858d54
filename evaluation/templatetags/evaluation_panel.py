from django import template

from evaluation.panels import participation, plans, reports

register = template.Library()


@register.inclusion_tag("evaluation/includes/project_panel.html", takes_context=True)
def evaluation_panel(context, project):
    """The "Évaluation" section of a project's page (network members and partners only)."""
    user = context["request"].user
    shown = user.is_authenticated and not user.is_citizen
    return {
        "project": project,
        "shown": shown,
        "plans": plans.context(project, user) if shown else None,
        "participation": participation.context(project, user) if shown else None,
        "reports": reports.context(project, user) if shown else None,
        "csrf_token": context.get("csrf_token"),
        "request": context["request"],
    }
