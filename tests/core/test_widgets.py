"""caflab.widgets: selects written in Python, with the very markup of Django's widgets."""

import re

import pytest
from django import forms
from django.http import QueryDict

from caflab import widgets

CHOICES = [
    ("", "Tous <les> thèmes"),
    ("a", "A & B"),
    ("b", "B"),
    ("groupe", [("c", "C"), ("d", "D")]),
    (3, "trois"),
]


def normalised(html: str) -> str:
    """The markup without the whitespace between tags, and attributes in a fixed order."""
    html = re.sub(r">\s+<", "><", html.strip())
    return re.sub(
        r"<(\w+)([^>]*)>",
        lambda tag: "<{}{}>".format(
            tag.group(1), "".join(sorted(re.findall(r' [\w-]+(?:="[^"]*")?', tag.group(2))))
        ),
        html,
    )


@pytest.mark.parametrize("value", [None, "", "a", "3", "c", "inconnu"])
def test_the_select_writes_what_django_writes(value):
    attrs = {"id": "id_theme", "aria-describedby": "id_theme_helptext"}
    django = forms.Select(choices=CHOICES, attrs={"class": "form-select"})
    ours = widgets.Select(choices=CHOICES, attrs={"class": "form-select"})
    assert normalised(ours.render("theme", value, attrs)) == normalised(
        django.render("theme", value, attrs)
    )


@pytest.mark.parametrize("value", [None, [], ["a", "c"], ["3"]])
def test_the_multiple_select_writes_what_django_writes(value):
    django = forms.SelectMultiple(choices=CHOICES)
    ours = widgets.SelectMultiple(choices=CHOICES)
    assert normalised(ours.render("themes", value, {"id": "id_themes"})) == normalised(
        django.render("themes", value, {"id": "id_themes"})
    )


def test_labels_and_values_are_escaped():
    html = widgets.Select(choices=[('"><script>', "<b>gras</b>")]).render("x", None)
    assert "<script>" not in html
    assert "<b>" not in html
    assert "&lt;b&gt;gras&lt;/b&gt;" in html


def test_only_the_first_matching_option_is_selected_in_a_single_select():
    html = widgets.Select(choices=[("a", "Un"), ("a", "Deux")]).render("x", "a")
    assert html.count(" selected") == 1


def test_a_form_field_reads_its_data_as_with_django_widgets():
    class Form(forms.Form):
        one = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=widgets.Select)
        many = forms.MultipleChoiceField(
            choices=[("a", "A"), ("b", "B")], widget=widgets.SelectMultiple
        )

    form = Form(QueryDict("one=b&many=a&many=b"))
    assert form.is_valid()
    assert form.cleaned_data == {"one": "b", "many": ["a", "b"]}
