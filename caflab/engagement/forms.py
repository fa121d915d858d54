from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from caflab.engagement.moderation import ModerationKind

STATES = [("waiting", _("À modérer")), ("hidden", _("Masqués"))]


class QueueFilterForm(forms.Form):
    type = forms.ChoiceField(label=_("Type"), required=False)
    etat = forms.ChoiceField(label=_("État"), required=False, choices=STATES)

    def __init__(self, *args: Any, kinds: list[ModerationKind], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", _("Tous")), *((k.key, k.label) for k in kinds)]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"
        # A kind's own filter (the consultation of the contributions) rides along, unseen.
        for kind in kinds:
            if kind.narrowing is not None:
                self.fields[kind.narrowing.param] = forms.IntegerField(
                    required=False, min_value=1, widget=forms.HiddenInput
                )


class RowsField(forms.MultipleChoiceField):
    """The ticked rows as "kind:pk" values: checked by the form against the kinds the person
    moderates, then scoped to their rows when applied, not against a list of every row."""

    def valid_value(self, value: str) -> bool:
        return True


class BulkForm(forms.Form):
    items = RowsField(
        label=_("Éléments"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Cochez au moins un élément.")},
    )
    action = forms.ChoiceField(label=_("Action"))
    message = forms.CharField(
        label=_("Message aux auteurs (facultatif)"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Envoyé par notification à chaque auteur dont le contenu est masqué ou refusé."
        ),
    )

    def __init__(self, *args: Any, kinds: list[ModerationKind], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        actions: dict[str, Any] = {}
        for kind in kinds:
            actions.update(kind.actions)
        self.fields["action"].choices = list(actions.items())
        self.kinds = {k.key: k for k in kinds}

    def clean_items(self) -> dict[str, list[int]]:
        chosen: dict[str, list[int]] = {}
        for value in self.cleaned_data["items"]:
            key, _sep, pk = value.partition(":")
            if key not in self.kinds or not pk.isdigit():
                message = _("Élément inconnu : « %(value)s ».") % {"value": value}
                raise forms.ValidationError(message)
            chosen.setdefault(key, []).append(int(pk))
        return chosen
