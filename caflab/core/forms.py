"""Form pieces shared by every app."""

from django import forms


class DateInput(forms.DateInput):
    """The browser's own date picker (accessible, localised); ISO value as HTML requires."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")
