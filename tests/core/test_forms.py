"""caflab.core.forms: the empty choice of every select reads "Choisir…", not Django's dashes,
whichever way the select is drawn (Django's templates or caflab.widgets)."""

from django import forms

from caflab import widgets
from caflab.core.forms import choice_label
from caflab.network.models import Caf


class AnyForm(forms.Form):
    caf = forms.ModelChoiceField(queryset=Caf.objects.none(), required=False)
    fast = forms.ChoiceField(
        choices=[("", "---------"), ("a", "A")], required=False, widget=widgets.Select
    )
    kept = forms.ChoiceField(choices=[("", "Toutes les régions"), ("a", "A")], required=False)


def test_empty_choices_read_choisir_in_every_kind_of_select():
    html = str(AnyForm())
    assert "---------" not in html
    assert html.count(">Choisir…</option>") == 2
    assert ">Toutes les régions</option>" in html


def test_only_django_s_dashes_are_replaced():
    assert str(choice_label("---------")) == "Choisir…"
    assert choice_label("Autre") == "Autre"
