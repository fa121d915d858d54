"""Forms of the portfolio views: what the kanban cards show, remembered per session."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

CARD_FIELDS = [
    ("health", _("Santé")),
    ("lead", _("Porteur")),
    ("caf", _("Caf pilote")),
    ("programme", _("Programmes")),
]
DEFAULT_CARD_FIELDS = [name for name, _label in CARD_FIELDS]
SESSION_KEY = "projects.kanban"


class KanbanDisplayForm(forms.Form):
    """A GET form. `shown` says the form was submitted: with every box unticked the browser
    sends no `champs` at all, which must mean "nothing", not "the defaults"."""

    champs = forms.MultipleChoiceField(
        label=_("Champs affichés"),
        choices=CARD_FIELDS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tout = forms.BooleanField(
        label=_("Afficher aussi les colonnes « En attente » et « Abandonné »"), required=False
    )
    shown = forms.BooleanField(widget=forms.HiddenInput, required=False, initial=True)

    @classmethod
    def from_request(cls, request: Any) -> "KanbanDisplayForm":
        """The submitted choice (then remembered in the session), else the remembered one,
        else the defaults."""
        if request.GET.get("shown"):
            form = cls(request.GET)
            if form.is_valid():
                request.session[SESSION_KEY] = {
                    "champs": form.cleaned_data["champs"],
                    "tout": form.cleaned_data["tout"],
                }
                return form
        saved = request.session.get(SESSION_KEY) or {"champs": DEFAULT_CARD_FIELDS, "tout": False}
        form = cls({"champs": saved["champs"], "tout": saved["tout"], "shown": True})
        form.is_valid()
        return form

    @property
    def fields_shown(self) -> set[str]:
        return set(self.cleaned_data.get("champs") or [])

    @property
    def show_side_stages(self) -> bool:
        return bool(self.cleaned_data.get("tout"))
