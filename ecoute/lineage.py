"""Contributions and questionnaires' open answers as sources of innovation (projects.origins).

The lab, or the correspondent of its Caf, turns a published contribution, or a written answer
to a questionnaire, into an idea of the box; its people (a contribution's author and
supporters, an answer's respondent when the consultation was not anonymous) are told what
became of it, then of each stage of the project it feeds. An anonymous answer has no one to
tell: nothing links it to a person, not even to the addresses left to hear back."""

from django.db.models import Q
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from caflab.accounts.models import User
from caflab.accounts.permissions import is_correspondent, is_lab_staff
from ecoute.models import TEXT_KINDS, Answer, Contribution, ContributionSupport
from projects.origins import OriginKind, OriginText, register_origin_kind


def describe(contribution: Contribution) -> OriginText:
    return OriginText(title=contribution.title, text=contribution.text, caf_id=contribution.caf_id)


def participants(contribution: Contribution):
    """Its author and its supporters, active."""
    supporters = ContributionSupport.objects.filter(contribution=contribution).values("user")
    return User.objects.active().filter(Q(pk=contribution.author_id or 0) | Q(pk__in=supporters))


def authors(contribution: Contribution):
    """Its author, active."""
    return User.objects.active().filter(pk=contribution.author_id or 0)


def visible_to(user, contribution: Contribution) -> bool:
    return Contribution.objects.visible_to(user).filter(pk=contribution.pk).exists()


def may_convert(user, contribution: Contribution) -> bool:
    """Published contributions only; the lab, or a correspondent for their Caf's."""
    if contribution.status != Contribution.Status.PUBLISHED:
        return False
    return is_lab_staff(user) or bool(
        is_correspondent(user) and contribution.caf_id and contribution.caf_id == user.caf_id
    )


# --- open answers --------------------------------------------------------------------------------


def answer_text(answer: Answer) -> str:
    """What the respondent wrote: the text of a text question, else its "other, specify"."""
    return answer.value_text if answer.question.kind in TEXT_KINDS else answer.other_text


def describe_answer(answer: Answer) -> OriginText:
    text = answer_text(answer)
    return OriginText(
        title=Truncator(" ".join(text.split())).chars(120) or _("Réponse à un questionnaire"),
        text=_(
            "Réponse à la question « %(question)s » de la consultation « %(title)s » :\n\n%(text)s"
        )
        % {
            "question": answer.question.label,
            "title": answer.questionnaire.consultation.title,
            "text": text,
        },
        caf_id=answer.caf_id,
    )


def answer_participants(answer: Answer):
    """Its respondent, when the answer is theirs by name (never for an anonymous one)."""
    return User.objects.active().filter(pk=answer.response.respondent_id or 0)


def answer_tell_by_email(answer: Answer, key: str, subject: str, text: str) -> None:
    """The addresses left to hear back from the answer's questionnaire hear what became of
    one of its answers (never its text, nor who wrote it), once per `key`."""
    from ecoute.services.hear_back import news_queue

    news_queue(
        questionnaire=answer.questionnaire,
        key=key,
        subject=subject,
        text=text,
        path=answer.questionnaire.consultation.get_absolute_url(),
    )


def answer_visible_to(user, answer: Answer) -> bool:
    """The consultation's team, and the respondent who wrote it (`Answer.objects.visible_to`,
    the one rule the answer's page and the project's origins read)."""
    return Answer.objects.visible_to(user).filter(pk=answer.pk).exists()


def answer_may_convert(user, answer: Answer) -> bool:
    """A written answer; the lab, or the correspondent of the consultation's Caf."""
    if not answer_text(answer).strip():
        return False
    consultation = answer.questionnaire.consultation
    return is_lab_staff(user) or bool(
        is_correspondent(user) and consultation.caf_id and consultation.caf_id == user.caf_id
    )


def register() -> None:
    register_origin_kind(
        OriginKind(
            model="ecoute.Answer",
            idea_source="consultation",
            describe=describe_answer,
            participants=answer_participants,
            visible_to=answer_visible_to,
            may_convert=answer_may_convert,
            tells_stage_changes=True,  # services.contributions.on_project_stage_changed
            tell_by_email=answer_tell_by_email,
        )
    )
    register_origin_kind(
        OriginKind(
            model="ecoute.Contribution",
            idea_source="consultation",
            describe=describe,
            participants=participants,
            authors=authors,
            visible_to=visible_to,
            may_convert=may_convert,
            tells_stage_changes=True,  # services.contributions.on_project_stage_changed
        )
    )
