"""`{% filter_field %}` draws a filter form's field exactly as crispy's `as_crispy_field` does
(same markup, ids, classes and ARIA attributes), only faster."""

import re

import pytest
from django import forms
from django.template import Context, Template

from caflab.core.typeahead import TypeaheadInput

CAFS = [("", "Toutes les Caf")] + [
    (f"{n:02d}", f"{n:02d} – Caf n°{n} <l'Ain>") for n in range(1, 102)
]


class FilterForm(forms.Form):
    q = forms.CharField(
        label="Rechercher",
        required=False,
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text="Mots du <em>titre</em>.",
    )
    caf = forms.ChoiceField(label="Caf", choices=CAFS, required=False)
    stage = forms.ChoiceField(
        label="Étape", choices=[("", "Toutes"), ("idea", "Idée")], required=False
    )
    kind = forms.ChoiceField(label="Nature", choices=[("a", "A"), ("b", "B")])
    level = forms.ChoiceField(label="Niveau", choices=[("", "—"), ("x", "X")])  # required
    name = forms.CharField(label="Nom", max_length=20)  # required
    lead = forms.CharField(
        label="Porteur",
        required=False,
        widget=TypeaheadInput(source="porteurs"),
        help_text="Nom ou adresse e-mail.",
    )
    shown = forms.BooleanField(label="Tout afficher", required=False)
    grouped = forms.ChoiceField(
        label="Groupé", choices=[("Un", [("1", "un")]), ("Deux", [("2", "deux")])], required=False
    )

    def clean_lead(self) -> str:
        value = self.cleaned_data["lead"]
        if value == "inconnu":
            raise forms.ValidationError("Aucun porteur ne correspond à «\u00a0inconnu\u00a0».")
        return value


def normalised(html: str) -> str:
    """Whitespace between and inside tags carries no meaning here."""
    html = re.sub(r"\s+", " ", html)
    return re.sub(r"\s*<", "<", re.sub(r">\s*", ">", html)).strip()


def crispy(field: forms.BoundField) -> str:
    template = Template("{% load crispy_forms_tags %}{{ field|as_crispy_field }}")
    return normalised(template.render(Context({"field": field})))


def ours(field: forms.BoundField) -> str:
    template = Template("{% load filter_fields %}{% filter_field field %}")
    return normalised(template.render(Context({"field": field})))


DATA = [
    None,
    {"q": "famille", "caf": "38", "stage": "idea", "kind": "b", "lead": "Dupont"},
    {"q": "", "caf": "999", "stage": "nope", "lead": "inconnu"},  # invalid choices, a lead error
]


@pytest.mark.parametrize("data", DATA)
@pytest.mark.parametrize("name", list(FilterForm.base_fields))
def test_filter_field_draws_what_crispy_draws(data, name):
    crispy_form, our_form = FilterForm(data), FilterForm(data)
    if data is not None:
        crispy_form.is_valid()
        our_form.is_valid()
    assert ours(our_form[name]) == crispy(crispy_form[name])
    # Twice on the same field (crispy leaves its classes on the widget): the same markup.
    assert ours(our_form[name]) == ours(FilterForm(data)[name]) or data is not None


def test_a_wrong_choice_is_announced_and_nothing_is_selected():
    form = FilterForm({"caf": "999", "stage": "idea"})
    form.is_valid()
    html = Template("{% load filter_fields %}{% filter_field form.caf %}").render(
        Context({"form": form})
    )
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_caf_error"' in html
    assert "selected" not in html
    # Labels are escaped, never injected.
    assert "&lt;l&#x27;Ain&gt;" in html
