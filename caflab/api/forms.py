import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

LIFETIMES = [
    ("30", _("30 jours")),
    ("90", _("90 jours")),
    ("180", _("6 mois")),
    ("365", _("1 an (le maximum)")),
]


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Nom du jeton"),
        max_length=100,
        help_text=_("Pour le reconnaître : « Tableau de bord Metabase de la Caf »…"),
    )
    lifetime = forms.TypedChoiceField(
        label=_("Durée de validité"), choices=LIFETIMES, coerce=int, initial="90"
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "post"
        self.helper.form_action = reverse_lazy("api:token-create")
        self.helper.add_input(Submit("submit", _("Créer le jeton")))

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name or "\x00" in name:
            raise forms.ValidationError(_("Donnez un nom à ce jeton."))
        return name

    @property
    def lifetime_delta(self) -> datetime.timedelta:
        return datetime.timedelta(days=self.cleaned_data["lifetime"])
