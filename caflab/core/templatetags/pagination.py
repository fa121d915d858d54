"""`{% load pagination %}{% page_numbers page_obj as numbers %}`: the page numbers a result list
links to, for components/pagination.html."""

from django import template
from django.core.paginator import Page

register = template.Library()


@register.simple_tag
def page_numbers(page: Page) -> list[int | str]:
    """The first and last pages and two either side of the current one, the gaps between them
    as `paginator.ELLIPSIS`: a fixed number of links, however many pages the list has."""
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
