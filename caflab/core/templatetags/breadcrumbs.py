"""The one breadcrumb trail of every page: `{% breadcrumb_trail url label … current=… %}`."""

from typing import Any

from django import template
from django.template.exceptions import TemplateSyntaxError

register = template.Library()


@register.inclusion_tag("components/breadcrumbs.html")
def breadcrumb_trail(*links: Any, current: Any) -> dict[str, Any]:
    """Home › the ancestors › `current`. `links` are the ancestors as url, label pairs, outermost
    first (Home is always added); the current page is not a link and carries aria-current.

        {% url "projects:index" as portfolio_url %}
        {% translate "Portefeuille d’innovations" as portfolio %}
        {% breadcrumb_trail portfolio_url portfolio project.get_absolute_url project.code
                            current=project.title %}  (on one line)
    """
    if len(links) % 2:
        raise TemplateSyntaxError("breadcrumb_trail takes url, label pairs before current=")
    return {"trail": list(zip(links[::2], links[1::2], strict=True)), "current": current}
