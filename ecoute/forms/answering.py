"""The respondent's form for one step (section) of a questionnaire, built from its questions.

Rendered by templates/ecoute/includes/question.html rather than crispy: each question needs
its own structure for screen readers (a fieldset and legend for a group of choices, a label for
a single field, help and error tied to the field, an error summary linking to each field).
Every field is optional for the browser (no `required` attribute, which would block a question
the browser hid): the required rule runs here, once the conditions are known.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from caflab.network.models import Caf
from ecoute.conditions import Answers, AnswerValue, condition_met
from ecoute.models import Question
from ecoute.plan import Plan, Step
from ecoute.results import scale_label

Kind = Question.Kind
OTHER = "autre"
GROUP_WIDGETS = (forms.RadioSelect, forms.CheckboxSelectMultiple)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


@dataclass
class QuestionBlock:
    """What the template draws for one question: its fields (bound), whether they form a group
    (fieldset), and the data the live conditions script reads."""

    question: Question
    number: int
    name: str
    fields: list[Any] = field(default_factory=list)  # BoundFields: the main one(s), ranks
    other: Any = None  # the "other, specify" BoundField
    is_group: bool = False
    condition_hint: str = ""
    condition_attrs: dict[str, str] = field(default_factory=dict)

    @property
    def errors(self) -> list[str]:
        errors = [e for f in self.fields for e in f.errors]
        if self.other is not None:
            errors += list(self.other.errors)
        return errors

    @property
    def describedby(self) -> str:
        """The ids of what describes the question: its condition hint, help, error."""
        ids = []
        if self.condition_hint:
            ids.append(f"id_{self.name}_condition")
        if self.question.help_text:
            ids.append(f"id_{self.name}_helptext")
        if self.errors:
            ids.append(f"id_{self.name}_error")
        return " ".join(ids)

    @property
    def anchor(self) -> str:
        """The id of the first input, for the error summary's link."""
        if self.other is not None and self.other.errors and not any(f.errors for f in self.fields):
            return self.other.auto_id
        first = self.fields[0]
        if isinstance(first.field.widget, GROUP_WIDGETS):
            return f"{first.auto_id}_0"
        return first.auto_id


def _condition_hint(question: Question, plan: Plan) -> str:
    source = plan.by_id.get(question.condition_question_id)
    if source is None:
        return ""
    operator = question.condition_operator
    if operator == Question.Operator.ANSWERED:
        return _("À remplir seulement si vous avez répondu à la question « %(q)s ».") % {
            "q": source.label
        }
    expected = (
        question.condition_option.label
        if question.condition_option_id
        else question.condition_value
    )
    if operator == Question.Operator.CONTAINS:
        return _(
            "À remplir seulement si votre réponse à la question « %(q)s » comprend « %(v)s »."
        ) % {"q": source.label, "v": expected}
    return _("À remplir seulement si vous avez répondu « %(v)s » à la question « %(q)s ».") % {
        "q": source.label,
        "v": expected,
    }


class SectionAnswerForm(forms.Form):
    """The questions of `step`. `draft` holds the answers given so far (all steps): the
    conditions of this step's questions read them, and this step's fields start from them."""

    use_required_attribute = False

    def __init__(self, *args: Any, plan: Plan, step: Step, draft: Answers, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.step = step
        self.draft = draft
        self.answers: dict[int, AnswerValue] = {}
        numbers = {q.pk: n for n, q in enumerate(plan.questions, start=1)}
        specs = []
        for question in step.questions:
            names = self._add_fields(question, draft.get(question.pk))
            specs.append((question, numbers.get(question.pk, 0), names))
        self.blocks = [self._block(question, number, names) for question, number, names in specs]
        self._decorate()

    def full_clean(self) -> None:
        super().full_clean()
        self._decorate()

    def _decorate(self) -> None:
        """Bootstrap classes, and for a single field (not a group: its fieldset carries them)
        the ids of its condition hint, help and error."""
        for block in self.blocks:
            bound_fields = [*block.fields, *([block.other] if block.other else [])]
            for bound in bound_fields:
                widget = bound.field.widget
                if isinstance(widget, (*GROUP_WIDGETS, forms.CheckboxInput)):
                    widget.attrs["class"] = "form-check-input"
                elif isinstance(widget, forms.Select):
                    widget.attrs["class"] = "form-select"
                else:
                    widget.attrs["class"] = "form-control"
            if not block.is_group:
                described = block.describedby
                widget = block.fields[0].field.widget
                if described:
                    widget.attrs["aria-describedby"] = described
                else:
                    widget.attrs.pop("aria-describedby", None)

    # --- building ---------------------------------------------------------------------------
    def _add_fields(self, question: Question, value: AnswerValue | None) -> dict[str, Any]:
        name = question.html_name
        kind = question.kind
        options = list(question.options.all())
        common = {"label": question.label, "required": False, "help_text": question.help_text}
        names: dict[str, Any] = {"main": [name], "other": None}
        if kind == Kind.SHORT_TEXT:
            self.fields[name] = forms.CharField(max_length=500, **common)
        elif kind == Kind.LONG_TEXT:
            self.fields[name] = forms.CharField(
                max_length=5000, widget=forms.Textarea(attrs={"rows": 5}), **common
            )
        elif kind in (Kind.SINGLE_CHOICE, Kind.SCALE):
            if kind == Kind.SCALE:
                values = range(question.scale_min or 0, (question.scale_max or 0) + 1)
                choices = [(str(v), scale_label(question, v)) for v in values]
            else:
                choices = [(str(o.pk), o.label) for o in options]
                if question.allow_other:
                    choices.append((OTHER, question.other_label or _("Autre")))
            if kind == Kind.SINGLE_CHOICE and question.display == Question.Display.LIST:
                widget: forms.Widget = forms.Select
                choices = [("", _("— Choisissez une réponse —")), *choices]
            else:
                widget = forms.RadioSelect
            self.fields[name] = forms.ChoiceField(choices=choices, widget=widget, **common)
        elif kind == Kind.MULTIPLE_CHOICE:
            choices = [(str(o.pk), o.label) for o in options]
            if question.allow_other:
                choices.append((OTHER, question.other_label or _("Autre")))
            self.fields[name] = forms.MultipleChoiceField(
                choices=choices, widget=forms.CheckboxSelectMultiple, **common
            )
        elif kind == Kind.RANKING:
            ranks = [("", "—")] + [(str(i), str(i)) for i in range(1, len(options) + 1)]
            names["main"] = []
            for option in options:
                rank_name = f"{name}_r{option.pk}"
                self.fields[rank_name] = forms.ChoiceField(
                    label=option.label, choices=ranks, required=False
                )
                names["main"].append(rank_name)
        elif kind == Kind.NUMBER:
            self.fields[name] = forms.DecimalField(
                max_digits=15,
                decimal_places=3,
                min_value=question.number_min,
                max_value=question.number_max,
                widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
                **common,
            )
        elif kind == Kind.DATE:
            self.fields[name] = forms.DateField(widget=DateInput, **common)
        elif kind == Kind.CONSENT:
            self.fields[name] = forms.BooleanField(**common)
        if question.allow_other and kind in (Kind.SINGLE_CHOICE, Kind.MULTIPLE_CHOICE):
            other_name = f"{name}_autre"
            self.fields[other_name] = forms.CharField(
                label=_("Précisez votre réponse « %(other)s »")
                % {"other": question.other_label or _("Autre")},
                max_length=500,
                required=False,
            )
            names["other"] = other_name
        if value is not None:
            self._set_initial(question, value)
        return names

    def _set_initial(self, question: Question, value: AnswerValue) -> None:
        name = question.html_name
        kind = question.kind
        if kind in (Kind.SHORT_TEXT, Kind.LONG_TEXT):
            self.initial[name] = value.text
        elif kind == Kind.SINGLE_CHOICE:
            self.initial[name] = (
                str(value.choices[0]) if value.choices else (OTHER if value.other else "")
            )
        elif kind == Kind.MULTIPLE_CHOICE:
            self.initial[name] = [str(c) for c in value.choices] + ([OTHER] if value.other else [])
        elif kind == Kind.SCALE:
            self.initial[name] = str(int(value.number)) if value.number is not None else ""
        elif kind == Kind.RANKING:
            for option_id, rank in value.ranks.items():
                self.initial[f"{name}_r{option_id}"] = str(rank)
        elif kind == Kind.NUMBER:
            self.initial[name] = value.number
        elif kind == Kind.DATE:
            self.initial[name] = value.date
        elif kind == Kind.CONSENT:
            self.initial[name] = bool(value.flag)
        if value.other:
            self.initial[f"{name}_autre"] = value.other

    def _block(self, question: Question, number: int, names: dict[str, Any]) -> QuestionBlock:
        fields = [self[name] for name in names["main"]]
        block = QuestionBlock(
            question=question,
            number=number,
            name=question.html_name,
            fields=fields,
            other=self[names["other"]] if names["other"] else None,
            is_group=question.kind == Kind.RANKING
            or isinstance(fields[0].field.widget, GROUP_WIDGETS)
            or names["other"] is not None,
        )
        source = self.plan.by_id.get(question.condition_question_id or 0)
        if source is not None and source.section_id == question.section_id:
            # Decided on submission; meanwhile the script hides it live, the hint says when.
            block.condition_hint = _condition_hint(question, self.plan)
            block.condition_attrs = {
                "data-condition-source": source.html_name,
                "data-condition-operator": question.condition_operator,
                "data-condition-value": str(
                    question.condition_option_id or question.condition_value
                ),
            }
        return block

    # --- validation -------------------------------------------------------------------------
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        mine = {q.pk for q in self.step.questions}
        values = {q.pk: self._value(q, cleaned) for q in self.step.questions}
        effective: dict[int, AnswerValue] = {}
        for question in self.plan.questions:
            value = values.get(question.pk) if question.pk in mine else self.draft.get(question.pk)
            shown = condition_met(question, effective)
            if question.pk in mine and not shown:
                self._drop_errors(question)  # hidden from the respondent: nothing to fix there
                continue
            if not shown or value is None:
                continue
            effective[question.pk] = value
            if question.pk not in mine:
                continue
            if question.is_required and value.is_empty and not self._has_errors(question):
                self.add_error(self._main_name(question), _("Cette question est obligatoire."))
            self.answers[question.pk] = value
        return cleaned

    def valid_answers(self) -> dict[int, AnswerValue]:
        """The answers of the questions without errors (kept when going back a step)."""
        by_id = {q.pk: q for q in self.step.questions}
        return {
            pk: value
            for pk, value in self.answers.items()
            if not self._has_errors(by_id[pk]) and not value.is_empty
        }

    def _main_name(self, question: Question) -> str:
        if question.kind == Kind.RANKING:
            first = next(iter(question.options.all()), None)
            return f"{question.html_name}_r{first.pk}" if first else question.html_name
        return question.html_name

    def _names(self, question: Question) -> list[str]:
        prefix = question.html_name
        return [n for n in self.fields if n == prefix or n.startswith(f"{prefix}_")]

    def _has_errors(self, question: Question) -> bool:
        return any(name in self.errors for name in self._names(question))

    def _drop_errors(self, question: Question) -> None:
        for name in self._names(question):
            self._errors.pop(name, None)

    def _value(self, question: Question, cleaned: dict[str, Any]) -> AnswerValue:
        name = question.html_name
        kind = question.kind
        if kind in (Kind.SHORT_TEXT, Kind.LONG_TEXT):
            return AnswerValue(text=(cleaned.get(name) or "").strip())
        if kind == Kind.SINGLE_CHOICE:
            return self._single(question, cleaned)
        if kind == Kind.MULTIPLE_CHOICE:
            return self._multiple(question, cleaned)
        if kind == Kind.SCALE:
            raw = cleaned.get(name)
            return AnswerValue(number=Decimal(raw) if raw else None)
        if kind == Kind.RANKING:
            return self._ranking(question, cleaned)
        if kind == Kind.NUMBER:
            return AnswerValue(number=cleaned.get(name))
        if kind == Kind.DATE:
            return AnswerValue(date=cleaned.get(name))
        if kind == Kind.CONSENT:
            return AnswerValue(flag=True if cleaned.get(name) else None)
        return AnswerValue()

    def _other_text(self, question: Question, cleaned: dict[str, Any]) -> str:
        return (cleaned.get(f"{question.html_name}_autre") or "").strip()

    def _single(self, question: Question, cleaned: dict[str, Any]) -> AnswerValue:
        chosen = cleaned.get(question.html_name) or ""
        other = self._other_text(question, cleaned)
        other_name = f"{question.html_name}_autre"
        if chosen == OTHER and not other:
            self.add_error(other_name, _("Précisez votre réponse."))
        elif chosen and chosen != OTHER and other:
            self.add_error(
                other_name,
                _("Vous avez précisé une autre réponse : choisissez « %(o)s » ou effacez ce texte.")
                % {"o": question.other_label or _("Autre")},
            )
            other = ""
        if chosen and chosen != OTHER:
            return AnswerValue(choices=(int(chosen),))
        return AnswerValue(other=other)

    def _multiple(self, question: Question, cleaned: dict[str, Any]) -> AnswerValue:
        chosen = list(cleaned.get(question.html_name) or [])
        other = self._other_text(question, cleaned)
        if OTHER in chosen and not other:
            self.add_error(f"{question.html_name}_autre", _("Précisez votre réponse."))
        if other and OTHER not in chosen:
            chosen.append(OTHER)  # a text typed in "specify" means "other"
        if question.max_choices and len(chosen) > question.max_choices:
            self.add_error(
                question.html_name,
                ngettext(
                    "Choisissez au plus %(n)d réponse.",
                    "Choisissez au plus %(n)d réponses.",
                    question.max_choices,
                )
                % {"n": question.max_choices},
            )
        order = {o.pk: i for i, o in enumerate(question.options.all())}
        ids = sorted((int(c) for c in chosen if c != OTHER), key=lambda pk: order.get(pk, 0))
        return AnswerValue(choices=tuple(ids), other=other if OTHER in chosen else "")

    def _ranking(self, question: Question, cleaned: dict[str, Any]) -> AnswerValue:
        options = list(question.options.all())
        ranks = {}
        for option in options:
            raw = cleaned.get(f"{question.html_name}_r{option.pk}")
            if raw:
                ranks[option.pk] = int(raw)
        if ranks:
            given = sorted(ranks.values())
            main = self._main_name(question)
            if len(set(given)) != len(given):
                self.add_error(
                    main, _("Deux propositions ont le même rang : chaque rang sert une fois.")
                )
            elif given != list(range(1, len(given) + 1)):
                self.add_error(main, _("Classez en commençant par 1, sans sauter de rang."))
            elif question.is_required and len(given) < len(options):
                self.add_error(main, _("Classez toutes les propositions."))
        return AnswerValue(ranks=ranks)

    def error_summary(self) -> list[dict[str, str]]:
        """One line per question in error, linking to its first field."""
        lines = [
            {
                "label": f"{block.number}. {block.question.label}",
                "error": error,
                "anchor": block.anchor,
            }
            for block in self.blocks
            for error in block.errors[:1]
        ]
        lines += [{"label": "", "error": e, "anchor": ""} for e in self.non_field_errors()]
        return lines


class FinishForm(forms.Form):
    """The last step's extras: the respondent's Caf (optional, for segmenting results) and an
    e-mail address to hear back, kept apart from the answers."""

    use_required_attribute = False

    caf = forms.ModelChoiceField(
        label=gettext_lazy("Votre Caf (facultatif)"),
        queryset=Caf.objects.none(),
        required=False,
        empty_label=gettext_lazy("— Je préfère ne pas le dire —"),
        help_text=gettext_lazy(
            "Pour comparer les réponses entre Caf ; les groupes de moins de 5 personnes "
            "ne sont jamais affichés."
        ),
    )
    hear_back_email = forms.EmailField(
        label=gettext_lazy("Votre adresse e-mail pour être informé des suites (facultatif)"),
        required=False,
        help_text=gettext_lazy(
            "Conservée à part de vos réponses, sans lien avec elles, et utilisée seulement "
            "pour vous dire ce que la Caf a fait de cette consultation."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args: Any, ask_caf: bool, cafs: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "fin")
        super().__init__(*args, **kwargs)
        if ask_caf:
            self.fields["caf"].queryset = cafs if cafs is not None else Caf.objects.all()
        else:
            del self.fields["caf"]
