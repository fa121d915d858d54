"""The questionnaire builder's forms: a section, a question (its fields depend on its kind), its
options (a formset), and the condition under which it shows.

The rules that keep answers meaningful live in `ecoute.services.builder`; the forms mirror them
so that the page says so before anyone tries: once answers exist, the kind, the scale, the
"other" option and the existing options' labels are disabled, with the reason next to them.
"""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from ecoute.models import CHOICE_KINDS, Option, Question, Questionnaire, Section
from ecoute.plan import order_key
from ecoute.services.builder import OptionSpec

Kind = Question.Kind
FROZEN_HELP = _("Des réponses ont déjà été reçues : ce champ ne peut plus changer.")

# The fields each kind adds to the common ones.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    Kind.SINGLE_CHOICE: ("display", "allow_other", "other_label"),
    Kind.MULTIPLE_CHOICE: ("allow_other", "other_label", "max_choices"),
    Kind.SCALE: ("scale_min", "scale_max", "scale_min_label", "scale_max_label"),
    Kind.NUMBER: ("number_min", "number_max"),
}
COMMON_FIELDS = ("kind", "section", "label", "help_text", "is_required")
CONDITION_FIELDS = (
    "condition_question",
    "condition_operator",
    "condition_option",
    "condition_value",
)
FROZEN_FIELD_NAMES = ("kind", "scale_min", "scale_max", "scale_min_label", "scale_max_label")


def _helper(label: Any, *, form_tag: bool = True) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = form_tag
    helper.add_input(Submit("submit", label))
    return helper


class SectionForm(forms.ModelForm):
    class Meta:
        model = Section
        fields = ["title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        creating = self.instance.pk is None
        self.helper = _helper(_("Ajouter la section") if creating else _("Enregistrer"))


class KindForm(forms.Form):
    """Step one of adding a question: its kind (each kind has its own fields)."""

    type = forms.ChoiceField(
        label=_("Type de question"), choices=Kind.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Continuer"))
        self.helper.form_method = "get"


class QuestionForm(forms.ModelForm):
    """A question's fields for its kind (the posted kind when the form is bound, so that a
    change of kind shows the new kind's fields), and its condition."""

    class Meta:
        model = Question
        fields = [
            *COMMON_FIELDS,
            *{f for names in KIND_FIELDS.values() for f in names},
            *CONDITION_FIELDS,
        ]
        widgets = {
            "display": forms.RadioSelect,
            "label": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(
        self, *args: Any, questionnaire: Questionnaire, frozen: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questionnaire = questionnaire
        self.frozen = frozen
        kind = self.instance.kind
        if self.is_bound and not frozen and self.data.get("kind") in Kind.values:
            kind = self.data["kind"]
        self.kind = kind
        wanted = {*COMMON_FIELDS, *KIND_FIELDS.get(kind, ()), *CONDITION_FIELDS}
        for name in list(self.fields):
            if name not in wanted:
                del self.fields[name]
        self.fields["section"].queryset = questionnaire.sections.all()
        self.fields["section"].empty_label = None
        self.fields["label"].label = _("Question posée")
        self.fields["help_text"].label = _("Aide (facultative)")
        self.fields["kind"].help_text = _(
            "En changeant de type, enregistrez pour voir les champs du nouveau type."
        )
        if "scale_min" in self.fields:
            self.fields["scale_min"].required = True
            self.fields["scale_max"].required = True
            self.fields["scale_min"].help_text = _("0 ou 1 en général.")
            self.fields["scale_max"].help_text = _("5 ou 10 en général (10 au plus).")
        if frozen:
            for name in FROZEN_FIELD_NAMES:
                if name in self.fields:
                    self.fields[name].disabled = True
                    self.fields[name].help_text = FROZEN_HELP
            if "allow_other" in self.fields and self.instance.allow_other:
                for name in ("allow_other", "other_label"):
                    self.fields[name].disabled = True
                    self.fields[name].help_text = FROZEN_HELP
        self._condition_fields()
        self.helper = _helper(_("Enregistrer la question"), form_tag=False)
        self.helper.layout = Layout(
            Fieldset(_("La question"), *[n for n in COMMON_FIELDS if n in self.fields]),
            *(
                [
                    Fieldset(
                        _("Réglages du type « %(kind)s »") % {"kind": Kind(kind).label},
                        *KIND_FIELDS[kind],
                    )
                ]
                if kind in KIND_FIELDS
                else []
            ),
            Fieldset(_("Affichage conditionnel (facultatif)"), *CONDITION_FIELDS),
        )
        self.helper.inputs = []  # the page places its own button after the options

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("condition_question") is None:
            data["condition_operator"] = ""
        elif not data.get("condition_operator"):
            data["condition_operator"] = Question.Operator.ANSWERED
        return data

    def _condition_fields(self) -> None:
        """The condition names an earlier question (questionnaire order), and one of its options
        for a choice question, or a value otherwise."""
        questions = sorted(
            Question.objects.filter(questionnaire=self.questionnaire)
            .exclude(pk=self.instance.pk)
            .select_related("section")
            .prefetch_related("options"),
            key=order_key,
        )
        if self.instance.pk:
            mine = order_key(self.instance)
        else:  # a new question goes at the end of its section
            section = self.instance.section
            mine = (section.position, section.pk, 10**9, 10**12)
        questions = [q for q in questions if order_key(q) < mine]
        self.earlier = questions
        source = self.fields["condition_question"]
        source.queryset = Question.objects.filter(pk__in=[q.pk for q in questions])
        source.label = _("Afficher cette question seulement selon la réponse à")
        source.empty_label = _("— Toujours afficher —")
        source.required = False
        source.label_from_instance = lambda q: q.label
        operator = self.fields["condition_operator"]
        operator.choices = [("", "—"), *Question.Operator.choices]
        operator.required = False
        option = self.fields["condition_option"]
        option.queryset = Option.objects.filter(
            question__in=[q.pk for q in questions if q.kind in CHOICE_KINDS]
        )
        option.label = _("Réponse attendue (question à choix)")
        option.required = False
        option.empty_label = "—"
        option.label_from_instance = lambda o: f"{o.question.label} → {o.label}"
        option.queryset = option.queryset.select_related("question")
        value = self.fields["condition_value"]
        value.label = _("Valeur attendue (texte, nombre ou date AAAA-MM-JJ)")


class OptionForm(forms.Form):
    """One answer option. Existing ones keep their label once answers exist."""

    pk = forms.IntegerField(required=False, widget=forms.HiddenInput)
    label = forms.CharField(label=_("Libellé"), max_length=200, required=False)
    is_hidden = forms.BooleanField(label=_("Masquée"), required=False)

    def __init__(self, *args: Any, frozen: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if frozen and self.initial.get("pk"):
            self.fields["label"].disabled = True


class BaseOptionFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, frozen: bool = False, **kwargs: Any) -> None:
        self.frozen = frozen
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int) -> dict[str, Any]:
        return {"frozen": self.frozen}

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "ORDER" in form.fields:
            form.fields["ORDER"].label = _("Ordre")
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Supprimer")
            if self.frozen and form.initial.get("pk"):
                form.fields["DELETE"].disabled = True

    def specs(self) -> list[OptionSpec]:
        """The options in their chosen order, for `question_save`."""
        specs = []
        forms_in_order = [*self.ordered_forms, *self.deleted_forms]
        for form in forms_in_order:
            data = form.cleaned_data
            if not data or (not data.get("pk") and not (data.get("label") or "").strip()):
                continue
            specs.append(
                OptionSpec(
                    label=data.get("label") or "",
                    pk=data.get("pk"),
                    is_hidden=bool(data.get("is_hidden")),
                    delete=bool(data.get("DELETE")),
                )
            )
        return specs


OptionFormSet = forms.formset_factory(
    OptionForm, formset=BaseOptionFormSet, extra=3, can_order=True, can_delete=True
)


def option_formset(question: Question, *, data: Any = None, frozen: bool) -> BaseOptionFormSet:
    options = list(question.options.all()) if question.pk else []
    initial = [
        {"pk": o.pk, "label": o.label, "is_hidden": o.is_hidden, "ORDER": i}
        for i, o in enumerate(options, start=1)
    ]
    return OptionFormSet(data, initial=initial, prefix="options", frozen=frozen)


class StatusForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("publish", _("Publier")),
            ("unpublish", _("Repasser en brouillon")),
            ("close", _("Clore")),
            ("publish_results", _("Publier les résultats")),
            ("archive", _("Archiver")),
        ]
    )


class ExportForm(forms.Form):
    format = forms.ChoiceField(choices=[("csv", "CSV"), ("xlsx", "XLSX")])
