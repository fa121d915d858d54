"""Rich text in templates: `{% load richtext %}`, then `{{ value|richtext }}` for the page and
`{{ value|plaintext }}` where no markup belongs (excerpts, <meta>, alt texts)."""

from django import template
from django.utils.safestring import SafeString

from caflab.core import richtext as rendering

register = template.Library()


@register.filter(is_safe=True)
def richtext(value: str | None) -> SafeString:
    """The typed Markdown as sanitised HTML (caflab.core.richtext.render_markdown)."""
    return rendering.render_markdown(value)


@register.filter
def plaintext(value: str | None) -> str:
    """The typed text without its markup; the template escapes it as usual."""
    return rendering.plain_text(value)
