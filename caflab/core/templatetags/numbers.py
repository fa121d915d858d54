"""Numbers in templates the French way: `{% load numbers %}`, then `{{ value|fr_number }}`
("1 111", "11 577,98") or `{{ value|fr_number:1 }}` (one decimal at most: "12,5", "50").
The one formatter is caflab.core.numbers.fr_number; Django's `{{ value }}` groups no thousands
(USE_THOUSAND_SEPARATOR is off) and `floatformat` groups them only when asked."""

from typing import Any

from django import template

from caflab.core.numbers import fr_number as format_number

register = template.Library()


@register.filter
def fr_number(value: Any, decimals: Any = None) -> str:
    """`value` with its thousands grouped by a narrow no-break space and a decimal comma; with
    `decimals`, rounded to that many decimals, trailing zeros dropped. "—" for None; text that
    is not a number is returned as it is."""
    if value is None or value == "":
        return "—"
    try:
        places = None if decimals in (None, "") else int(decimals)
        return format_number(value, places, trim=True, grouping=True)
    except (TypeError, ValueError, ArithmeticError):
        return str(value)
