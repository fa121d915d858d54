"""The questionnaire builder's flows: sections and questions added, edited, reordered, hidden or
deleted, with the rules that keep answers meaningful.

Once a questionnaire has answers, a question keeps its meaning: its type, its scale and end
labels, its options' labels and its "other" option stay as they are; it can be hidden (as can
an option) and new questions and options added. Deleting needs a questionnaire without answers.
A conditional question always comes after the question it depends on.
Every refusal is an `InvalidState` (a ValidationError, field errors included) with a French
message for the builder's page.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caflab.core.errors import InvalidState
from ecoute.models import (
    CHOICE_KINDS,
    NUMERIC_KINDS,
    TEXT_KINDS,
    Option,
    Question,
    Questionnaire,
    Section,
)
from ecoute.plan import order_key

Kind = Question.Kind
Operator = Question.Operator

FROZEN_HINT = gettext_lazy("Masquez-la et ajoutez une nouvelle question si besoin.")
# The fields that carry a question's meaning once answers exist.
FROZEN_FIELDS = {
    "kind": gettext_lazy("le type de la question"),
    "scale_min": gettext_lazy("le minimum de l’échelle"),
    "scale_max": gettext_lazy("le maximum de l’échelle"),
    "scale_min_label": gettext_lazy("le libellé du minimum"),
    "scale_max_label": gettext_lazy("le libellé du maximum"),
}
# Which conditions each kind of source question supports.
OPERATORS_FOR = {
    **dict.fromkeys(CHOICE_KINDS, (Operator.ANSWERED, Operator.EQUALS, Operator.CONTAINS)),
    **dict.fromkeys(TEXT_KINDS, (Operator.ANSWERED, Operator.EQUALS, Operator.CONTAINS)),
    **dict.fromkeys(NUMERIC_KINDS, (Operator.ANSWERED, Operator.EQUALS)),
    Kind.DATE: (Operator.ANSWERED, Operator.EQUALS),
    Kind.CONSENT: (Operator.ANSWERED,),
}


@dataclass
class OptionSpec:
    """One option as the builder's form submits it, in display order."""

    label: str
    pk: int | None = None
    is_hidden: bool = False
    delete: bool = False


def has_answers(questionnaire: Questionnaire) -> bool:
    return questionnaire.responses.exists()


def _frozen_error(what: str) -> InvalidState:
    return InvalidState(
        _("Des réponses ont déjà été reçues : %(what)s ne peut plus changer. %(hint)s")
        % {"what": what, "hint": FROZEN_HINT}
    )


# --- order and conditions --------------------------------------------------------------------


def check_conditions(questionnaire: Questionnaire) -> None:
    """Every visible conditional question comes after the question it depends on, which is
    itself visible. Raises an InvalidState naming the first one out of place."""
    questions = sorted(
        Question.objects.filter(questionnaire=questionnaire).select_related("section"),
        key=order_key,
    )
    seen_visible: set[int] = set()
    for question in questions:
        visible = not (question.is_hidden or question.section.is_hidden)
        if (
            visible
            and question.condition_question_id
            and question.condition_question_id not in seen_visible
        ):
            source = next((q for q in questions if q.pk == question.condition_question_id), None)
            raise InvalidState(
                _(
                    "La question « %(question)s » dépend de la question « %(source)s » : "
                    "celle-ci doit rester visible et placée avant elle."
                )
                % {"question": question.label, "source": source.label if source else "?"}
            )
        if visible:
            seen_visible.add(question.pk)


def _renumber(rows: list) -> None:
    for position, row in enumerate(rows, start=1):
        if row.position != position:
            row.position = position
            row.save(update_fields=["position", "updated_at"])


def _swap(rows: list, row, direction: str) -> bool:
    index = next(i for i, r in enumerate(rows) if r.pk == row.pk)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(rows):
        return False
    rows[index], rows[other] = rows[other], rows[index]
    _renumber(rows)
    return True


# --- sections --------------------------------------------------------------------------------


def section_add(*, questionnaire: Questionnaire, title: str, description: str = "") -> Section:
    last = questionnaire.sections.aggregate(last=Max("position"))["last"] or 0
    return Section.objects.create(
        questionnaire=questionnaire, title=title, description=description, position=last + 1
    )


@transaction.atomic
def section_move(*, section: Section, direction: str) -> bool:
    """Move a section up or down; False at either end. Refused when a question would come
    before the question it depends on."""
    rows = list(Section.objects.select_for_update().filter(questionnaire=section.questionnaire_id))
    moved = _swap(rows, section, direction)
    check_conditions(section.questionnaire)
    return moved


@transaction.atomic
def section_toggle(*, section: Section) -> Section:
    section.is_hidden = not section.is_hidden
    section.save(update_fields=["is_hidden", "updated_at"])
    check_conditions(section.questionnaire)
    return section


@transaction.atomic
def section_delete(*, section: Section) -> None:
    """Delete a section and its questions, before any answer; never the last section."""
    questionnaire = section.questionnaire
    if section.questions.exists() and has_answers(questionnaire):
        raise InvalidState(
            _(
                "Des réponses ont déjà été reçues : masquez cette section plutôt que de la "
                "supprimer."
            )
        )
    if questionnaire.sections.count() == 1:
        raise InvalidState(_("Un questionnaire garde au moins une section."))
    questions = list(section.questions.all())
    _refuse_if_depended_on(questions)
    for question in questions:
        question.options.all().delete()
        question.delete()
    section.delete()
    _renumber(list(questionnaire.sections.all()))


def _refuse_if_depended_on(questions: list[Question]) -> None:
    ids = {q.pk for q in questions}
    dependent = Question.objects.filter(condition_question__in=ids).exclude(pk__in=ids).first()
    if dependent is not None:
        raise InvalidState(
            _("La question « %(question)s » dépend de celle-ci : retirez d’abord sa condition.")
            % {"question": dependent.label}
        )


# --- questions -------------------------------------------------------------------------------


def _clean_kind_fields(question: Question, options: list[OptionSpec] | None) -> None:
    """Check the fields of the question's kind and clear the others."""
    errors: dict[str, str] = {}
    kind = question.kind
    if kind not in Kind.values:
        raise InvalidState({"kind": _("Type de question inconnu.")})
    if kind == Kind.SCALE:
        if question.scale_min is None or question.scale_max is None:
            errors["scale_max"] = _("Indiquez le minimum et le maximum de l’échelle.")
        elif not 0 <= question.scale_min < question.scale_max <= 10:
            errors["scale_max"] = _("L’échelle va de 0 à 10 au plus, le maximum après le minimum.")
    else:
        question.scale_min = question.scale_max = None
        question.scale_min_label = question.scale_max_label = ""
    if kind == Kind.NUMBER:
        if (
            question.number_min is not None
            and question.number_max is not None
            and question.number_max < question.number_min
        ):
            errors["number_max"] = _("Le maximum doit être supérieur au minimum.")
    else:
        question.number_min = question.number_max = None
    if kind not in (Kind.SINGLE_CHOICE, Kind.MULTIPLE_CHOICE):
        question.allow_other = False
    if kind != Kind.MULTIPLE_CHOICE:
        question.max_choices = None
    if kind != Kind.SINGLE_CHOICE:
        question.display = Question.Display.BUTTONS
    if kind in CHOICE_KINDS and options is not None:
        kept = [o for o in options if not o.delete and o.label.strip()]
        visible = [o for o in kept if not o.is_hidden]
        needed = 2 - (1 if question.allow_other else 0)
        if len(visible) < needed:
            errors["__all__"] = _("Proposez au moins deux réponses possibles.")
        if question.max_choices and question.max_choices > len(visible) + question.allow_other:
            errors["max_choices"] = _("Le maximum dépasse le nombre de réponses possibles.")
        labels = [o.label.strip().casefold() for o in kept]
        if len(labels) != len(set(labels)):
            errors["__all__"] = _("Deux options portent le même libellé.")
    if errors:
        raise InvalidState(errors)


def _clean_condition(question: Question) -> None:
    source_id = question.condition_question_id
    if source_id is None:
        question.condition_operator = ""
        question.condition_option = None
        question.condition_value = ""
        return
    source = (
        Question.objects.select_related("section")
        .filter(questionnaire=question.questionnaire_id, pk=source_id)
        .first()
    )
    if source is None or source.pk == question.pk:
        raise InvalidState(
            {"condition_question": _("Choisissez une question de ce questionnaire.")}
        )
    section = question.section
    position = question.position
    if (source.section.position, source.section_id, source.position, source.pk) >= (
        section.position,
        section.pk,
        position,
        question.pk or 10**12,
    ):
        raise InvalidState(
            {"condition_question": _("La condition porte sur une question placée avant celle-ci.")}
        )
    operator = question.condition_operator or Operator.ANSWERED
    question.condition_operator = operator
    if operator not in OPERATORS_FOR[source.kind]:
        raise InvalidState(
            {"condition_operator": _("Cette condition ne s’applique pas à ce type de question.")}
        )
    if operator == Operator.ANSWERED:
        question.condition_option = None
        question.condition_value = ""
    elif source.kind in CHOICE_KINDS:
        if question.condition_option is None or question.condition_option.question_id != source.pk:
            raise InvalidState(
                {
                    "condition_option": _("Choisissez une réponse de la question « %(q)s ».")
                    % {"q": source.label}
                }
            )
        question.condition_value = ""
    else:
        question.condition_option = None
        value = question.condition_value.strip()
        if not value:
            raise InvalidState({"condition_value": _("Indiquez la valeur attendue.")})
        if source.kind in NUMERIC_KINDS:
            try:
                Decimal(value.replace(",", "."))
            except InvalidOperation:
                raise InvalidState({"condition_value": _("Indiquez un nombre.")}) from None
        if source.kind == Kind.DATE:
            try:
                datetime.date.fromisoformat(value)
            except ValueError:
                raise InvalidState(
                    {"condition_value": _("Indiquez une date au format AAAA-MM-JJ.")}
                ) from None
        question.condition_value = value


def _check_frozen(previous: Question, question: Question, options: list[OptionSpec] | None) -> None:
    for name, what in FROZEN_FIELDS.items():
        if getattr(previous, name) != getattr(question, name):
            raise _frozen_error(what)
    if previous.allow_other and not question.allow_other:
        raise _frozen_error(_("l’option « Autre »"))
    if previous.allow_other and previous.other_label != question.other_label:
        raise _frozen_error(_("le libellé de l’option « Autre »"))
    if options is None:
        return
    existing = {o.pk: o for o in previous.options.all()}
    for spec in options:
        if spec.pk is None:
            continue
        option = existing.get(spec.pk)
        if option is None:
            continue
        if spec.delete:
            raise _frozen_error(
                _("la liste des options (masquez l’option « %(o)s »)") % {"o": option.label}
            )
        if spec.label.strip() != option.label:
            raise _frozen_error(_("le libellé de l’option « %(o)s »") % {"o": option.label})


@transaction.atomic
def question_save(*, question: Question, options: list[OptionSpec] | None = None) -> Question:
    """Create `question` (appended to its section) or save its changes, with its options in the
    given order. Refuses a change of meaning once the questionnaire has answers."""
    questionnaire = question.questionnaire
    if question.section.questionnaire_id != questionnaire.pk:
        raise InvalidState({"section": _("Cette section n’appartient pas au questionnaire.")})
    creating = question.pk is None
    if not creating:
        previous = Question.objects.select_for_update().get(pk=question.pk)
        if has_answers(questionnaire):
            _check_frozen(previous, question, options)
        if previous.kind != question.kind and previous.dependents.exists():
            raise InvalidState(
                {
                    "kind": _(
                        "D’autres questions dépendent de celle-ci : retirez d’abord leur "
                        "condition pour en changer le type."
                    )
                }
            )
        if previous.section_id != question.section_id:
            question.position = _next_position(question.section)
    else:
        question.position = _next_position(question.section)
    _clean_kind_fields(question, options)
    _clean_condition(question)
    question.save()
    if question.kind in CHOICE_KINDS and options is not None:
        _save_options(question, options)
    elif question.kind not in CHOICE_KINDS and not creating:
        question.options.all().delete()  # only reachable without answers: the kind is frozen
    check_conditions(questionnaire)
    return question


def _next_position(section: Section) -> int:
    return (section.questions.aggregate(last=Max("position"))["last"] or 0) + 1


def _save_options(question: Question, options: list[OptionSpec]) -> None:
    existing = {o.pk: o for o in question.options.all()}
    position = 0
    for spec in options:
        option = existing.get(spec.pk) if spec.pk else None
        if spec.delete or not spec.label.strip():
            if option is not None:
                if Question.objects.filter(condition_option=option).exists():
                    raise InvalidState(
                        _("Une condition porte sur l’option « %(o)s » : retirez-la d’abord.")
                        % {"o": option.label}
                    )
                option.delete()
            continue
        position += 1
        if option is None:
            Option.objects.create(
                question=question,
                label=spec.label.strip(),
                position=position,
                is_hidden=spec.is_hidden,
            )
        else:
            option.label = spec.label.strip()
            option.position = position
            option.is_hidden = spec.is_hidden
            option.save(update_fields=["label", "position", "is_hidden", "updated_at"])


@transaction.atomic
def question_move(*, question: Question, direction: str) -> bool:
    """Move a question up or down within its section; False at either end."""
    rows = list(
        Question.objects.select_for_update()
        .filter(section=question.section_id)
        .order_by("position", "pk")
    )
    moved = _swap(rows, question, direction)
    check_conditions(question.questionnaire)
    return moved


@transaction.atomic
def question_toggle(*, question: Question) -> Question:
    """Hide a question (its answers stay in results and exports) or show it again."""
    question.is_hidden = not question.is_hidden
    question.save(update_fields=["is_hidden", "updated_at"])
    check_conditions(question.questionnaire)
    return question


@transaction.atomic
def question_delete(*, question: Question) -> None:
    if has_answers(question.questionnaire):
        raise InvalidState(
            _(
                "Des réponses ont déjà été reçues : masquez cette question plutôt que de la "
                "supprimer."
            )
        )
    _refuse_if_depended_on([question])
    section = question.section
    question.options.all().delete()
    question.delete()
    _renumber(list(section.questions.order_by("position", "pk")))
