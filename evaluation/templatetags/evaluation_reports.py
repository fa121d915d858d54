"""The evaluation home's reports part: the portfolio reports the user sees (two queries)."""

from django import template

from evaluation import permissions  # noqa: F401  (registers the app's permissions)
from evaluation.models import ImpactReport

register = template.Library()

LATEST = 5


@register.inclusion_tag("evaluation/includes/portfolio_reports.html", takes_context=True)
def portfolio_reports(context):
    user = context["request"].user
    reports = (
        ImpactReport.objects.visible_to(user)
        .filter(scope=ImpactReport.Scope.PORTFOLIO)
        .select_related("requested_by")
        .order_by("-created_at", "-pk")[:LATEST]
    )
    return {
        "reports": list(reports),
        "can_request": user.has_perm("evaluation.request_portfolio_report"),
        "csrf_token": context.get("csrf_token"),
    }
