"""Copying a questionnaire's content into another: a template kept by an app (the events'
satisfaction questionnaire) becomes each new questionnaire's starting point. The copy is
independent: editing the template later changes no copy, and a copy's answers never touch the
template."""

from django.db import transaction

from ecoute.models import Option, Question, Questionnaire, Section

# Everything a question says, except where it belongs and its condition (remapped below).
QUESTION_FIELDS = (
    "kind",
    "label",
    "help_text",
    "is_required",
    "position",
    "is_hidden",
    "display",
    "allow_other",
    "other_label",
    "max_choices",
    "scale_min",
    "scale_max",
    "scale_min_label",
    "scale_max_label",
    "number_min",
    "number_max",
    "condition_value",
)


@transaction.atomic
def questionnaire_copy(*, source: Questionnaire, target: Questionnaire) -> dict[int, Question]:
    """Copy `source`'s sections, questions (with their conditions) and options into `target`,
    after what `target` already holds; its empty sections are replaced. Returns the copies of
    the questions by the source question's id. A fixed number of queries."""
    Section.objects.filter(questionnaire=target, questions__isnull=True).delete()
    sections = list(Section.objects.filter(questionnaire=source).order_by("position", "pk"))
    section_copies = Section.objects.bulk_create(
        Section(
            questionnaire=target,
            title=section.title,
            description=section.description,
            position=section.position,
            is_hidden=section.is_hidden,
        )
        for section in sections
    )
    section_map = {old.pk: new for old, new in zip(sections, section_copies, strict=True)}
    questions = list(Question.objects.filter(questionnaire=source).order_by("position", "pk"))
    question_copies = Question.objects.bulk_create(
        Question(
            questionnaire=target,
            section=section_map[question.section_id],
            **{name: getattr(question, name) for name in QUESTION_FIELDS},
        )
        for question in questions
    )
    question_map = {old.pk: new for old, new in zip(questions, question_copies, strict=True)}
    options = list(Option.objects.filter(question__questionnaire=source).order_by("position", "pk"))
    option_copies = Option.objects.bulk_create(
        Option(
            question=question_map[option.question_id],
            label=option.label,
            position=option.position,
            is_hidden=option.is_hidden,
        )
        for option in options
    )
    option_map = {old.pk: new for old, new in zip(options, option_copies, strict=True)}
    conditional = []
    for question in questions:
        if question.condition_question_id is None:
            continue
        copy = question_map[question.pk]
        copy.condition_question = question_map[question.condition_question_id]
        copy.condition_operator = question.condition_operator
        copy.condition_option = option_map.get(question.condition_option_id)
        conditional.append(copy)
    if conditional:
        Question.objects.bulk_update(
            conditional, ["condition_question", "condition_operator", "condition_option"]
        )
    return question_map
