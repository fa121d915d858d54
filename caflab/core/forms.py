"""Form pieces shared by every app."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

#: The label Django (and django-filter) give the empty choice of a select.
DJANGO_EMPTY_LABEL = "---------"
EMPTY_LABEL = _("Choisir…")


def choice_label(label: Any) -> Any:
    """What an option shows: Django's "---------" reads "Choisir…", every other label as is.
    The one place for both renderings of a select: Django's template
    (caflab/core/templates/django/forms/widgets/select_option.html) and caflab.widgets."""
    return EMPTY_LABEL if label == DJANGO_EMPTY_LABEL else label


class DateInput(forms.DateInput):
    """The browser's own date picker (accessible, localised); ISO value as HTML requires."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")
