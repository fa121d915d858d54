"""`{% load filter_fields %}{% filter_field form.caf %}`: a filter form's field, as crispy's
Bootstrap 5 `as_crispy_field` draws it (label, widget, errors, help text, the same ids and
ARIA attributes), without its template machinery.

Crispy renders a field through about ten nested templates, and Django draws a `<select>` with
one template per `<option>`: the portfolio's filters (101 Caf, the themes, the stages…) cost
more than the rest of the page. Here a `<select>` with flat choices and the text-like inputs are
written directly; any other widget (checkboxes, radios, files, grouped choices) goes to crispy,
so the output never depends on which path drew it (tests/core/test_filter_fields.py compares
both).
"""

from typing import Any

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms, template
from django.forms import BoundField
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# Input widgets drawn directly: the text-like ones (not checkboxes, files or hidden inputs).
TEXT_INPUTS = ("text", "search", "email", "url", "number", "tel", "date", "password")


@register.simple_tag
def filter_field(field: BoundField) -> SafeString:
    widget = field.field.widget
    choices = _choices(field) if type(widget) is forms.Select else []
    if _is_plain_select(widget, choices):
        drawn = _select(field, choices)
    elif (
        isinstance(widget, forms.widgets.Input) and getattr(widget, "input_type", "") in TEXT_INPUTS
    ):
        drawn = field.as_widget(attrs=_attrs(field, "form-control"))
    else:
        return as_crispy_field(field)
    return _wrap(field, drawn)


def _is_plain_select(widget: forms.Widget, choices: list[tuple[Any, Any]]) -> bool:
    if type(widget) is not forms.Select:
        return False
    return not any(isinstance(label, list | tuple) for _value, label in choices)


def _choices(field: BoundField) -> list[tuple[Any, Any]]:
    """The choices, read once: a ModelChoiceField queries its queryset on every iteration
    (and `list()` on it would ask its length first, a COUNT query: iterate it instead)."""
    return list(iter(field.field.choices))


def _attrs(field: BoundField, bootstrap_class: str) -> dict[str, Any]:
    """The attributes crispy's `crispy_field` and Django's BoundField give the widget, in their
    order: the widget's lowercased class name then Bootstrap's (and `is-invalid` on an error),
    `required` and `disabled` as Django decides them, `aria-invalid` on an error, and
    `aria-describedby` naming the help text then the error."""
    widget = field.field.widget
    classes = widget.attrs.get("class", "").split()
    for css in (type(widget).__name__.lower(), bootstrap_class, "is-invalid"):
        if css not in classes and (css != "is-invalid" or field.errors):
            classes.append(css)
    attrs: dict[str, Any] = {"class": " ".join(classes)}
    if (
        widget.use_required_attribute(field.initial)
        and field.field.required
        and field.form.use_required_attribute
    ):
        attrs["required"] = True
    if field.field.disabled:
        attrs["disabled"] = True
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_helptext")
    if field.errors:
        attrs["aria-invalid"] = "true"
        described.append(f"{field.auto_id}_error")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return attrs


def _select(field: BoundField, choices: list[tuple[Any, Any]]) -> SafeString:
    value = field.value()
    selected = "" if value is None else str(value)
    attrs = {"name": field.html_name, **_attrs(field, "form-select"), "id": field.auto_id}
    opening = " ".join(
        escape(name) if value is True else format_html('{}="{}"', name, value)
        for name, value in attrs.items()
    )
    options = "".join(
        f'<option value="{escape(v)}"{" selected" if str(v) == selected else ""}>'
        f"{escape(label)}</option>"
        for v, label in choices
    )
    return mark_safe(f"<select {opening}>{options}</select>")  # noqa: S308 -- all escaped above


def _wrap(field: BoundField, drawn: str) -> SafeString:
    """crispy's bootstrap5/field.html around the widget: label, then the widget, its errors
    and its help text (our own code's text, shown unescaped as crispy does)."""
    required = field.field.required
    label = (
        format_html(
            '<label for="{}" class="form-label{}">{}{}</label>',
            field.id_for_label,
            " requiredField" if required else "",
            field.label,
            mark_safe('<span class="asteriskField">*</span>') if required else "",
        )
        if field.label
        else ""
    )
    errors = ""
    if field.errors:
        errors = format_html(
            '<div id="{}_error" class="invalid-feedback">{}</div>',
            field.auto_id,
            format_html_join(
                "",
                '<p id="error_{}_{}"><strong>{}</strong></p>',
                ((i, field.auto_id, error) for i, error in enumerate(field.errors, 1)),
            ),
        )
    help_text = ""
    if field.help_text:
        help_text = format_html(
            '<div id="{}_helptext" class="form-text">{}</div>',
            field.auto_id,
            mark_safe(field.help_text),  # noqa: S308 -- crispy's `|safe`: our own help texts
        )
    return format_html(
        '<div id="div_{}" class="mb-3">{}{}{}{}</div>',
        field.auto_id,
        label,
        drawn,
        errors,
        help_text,
    )
