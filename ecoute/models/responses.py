"""Answers to a questionnaire, stored so that the database aggregates them: one Response per
respondent, one Answer row per question answered, one AnswerChoice row per option chosen (with
its rank for a ranking).

The anonymity guarantee lives in these tables' shapes:
- a Response carries no timestamp (its day only), no IP, and a user only when the consultation
  is not anonymous; its primary key is random, so its order says nothing about when it came;
- the "already answered" check for anonymous answers is a ParticipationToken row keyed by the
  questionnaire and a keyed hash of the browser's token, with no link to the response;
- an e-mail left to hear back is a HearBackRequest row, never joined to the response;
- an anonymous response and a hear-back address are first kept as PendingSubmission rows, then
  written among others in a shuffled batch (ecoute.services.batches): the marker, the response
  and the address are each written by a different transaction, so neither PostgreSQL's system
  columns (xmin), the keys nor the rows' order say which answer is whose.
No table here keeps a time of day.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caflab.network.models import Caf
from ecoute.models.questionnaires import Option, Question, Questionnaire


class Audience(models.TextChoices):
    """The respondent's side, for segmenting results."""

    CITIZEN = "citizen", _("Usager")
    AGENT = "agent", _("Agent")
    PARTNER = "partner", _("Partenaire")


class ResponseQuerySet(models.QuerySet["Response"]):
    def of_segment(self, segment) -> "ResponseQuerySet":
        """`segment`: None (everyone) or an `ecoute.results.Segment`."""
        return self if segment is None else self.filter(**segment.response_filter())


class Response(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.PROTECT,
        related_name="responses",
        verbose_name=_("questionnaire"),
    )
    # Only when the consultation is not anonymous; never the agent of an assisted answer.
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ecoute_responses",
        verbose_name=_("répondant"),
    )
    is_anonymous = models.BooleanField(_("anonyme"), default=False)
    is_assisted = models.BooleanField(
        _("saisie assistée"),
        default=False,
        help_text=_("Saisie par un agent pour un visiteur, à l’accueil ou au téléphone."),
    )
    audience = models.CharField(_("public"), max_length=10, choices=Audience)
    caf = models.ForeignKey(
        Caf,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Caf"),
    )
    # The day only: a time would let a server log point back to the person.
    submitted_on = models.DateField(_("reçue le"), default=timezone.localdate)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("réponse au questionnaire")
        verbose_name_plural = _("réponses aux questionnaires")
        ordering = ["submitted_on", "id"]
        indexes = [
            models.Index(fields=["questionnaire", "audience"]),
            models.Index(fields=["questionnaire", "caf"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "respondent"],
                condition=Q(respondent__isnull=False),
                name="response_one_per_respondent",
                violation_error_message=_("Vous avez déjà répondu à ce questionnaire."),
            ),
            models.CheckConstraint(
                condition=Q(respondent__isnull=True) | Q(is_anonymous=False, is_assisted=False),
                name="response_anonymous_or_assisted_has_no_respondent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire} – {self.submitted_on:%d/%m/%Y}"


class AnswerQuerySet(models.QuerySet["Answer"]):
    def visible_to(self, user) -> "AnswerQuerySet":
        """The answers a person may open one by one (ecoute:written-answer): those of the
        consultations they manage (the lab, the moderators, the correspondents of its Caf)
        and their own."""
        if not user.is_authenticated:
            return self.none()
        from caflab.accounts.models import Role

        scope = Q(response__respondent=user)
        if user.is_lab_staff or user.role == Role.MODERATOR:
            scope |= Q(questionnaire__consultation__isnull=False)
        elif user.is_correspondent and user.caf_id:
            scope |= Q(questionnaire__consultation__caf=user.caf_id)
        return self.filter(scope)


class Answer(models.Model):
    """One question's answer. The value sits in the column of its kind, so that the database
    counts, averages and filters them.

    `questionnaire`, `audience` and `caf` are copies of the response's (set with
    `copy_response_columns` wherever answers are created): a questionnaire's results, segments,
    free texts and exports read its own answers by index, never joining through the responses
    nor scanning another questionnaire's."""

    response = models.ForeignKey(
        Response, on_delete=models.PROTECT, related_name="answers", verbose_name=_("réponse")
    )
    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("questionnaire"),
        db_index=False,  # the composite indexes below lead with it
    )
    audience = models.CharField(_("public"), max_length=10, choices=Audience)
    caf = models.ForeignKey(
        Caf,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Caf"),
        db_index=False,
    )
    question = models.ForeignKey(
        Question, on_delete=models.RESTRICT, related_name="answers", verbose_name=_("question")
    )
    value_text = models.TextField(_("texte"), blank=True)
    value_number = models.DecimalField(
        _("nombre"), max_digits=15, decimal_places=3, null=True, blank=True
    )
    value_date = models.DateField(_("date"), null=True, blank=True)
    value_bool = models.BooleanField(_("accord"), null=True, blank=True)
    other_text = models.CharField(_("autre, précisé"), max_length=500, blank=True)

    objects = AnswerQuerySet.as_manager()

    class Meta:
        verbose_name = _("réponse à une question")
        verbose_name_plural = _("réponses aux questions")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_one_per_question")
        ]
        indexes = [
            models.Index(fields=["question", "value_number"]),
            models.Index(fields=["questionnaire", "question"], name="answer_questionnaire_idx"),
            models.Index(
                fields=["questionnaire", "audience", "question"], name="answer_q_audience_idx"
            ),
            models.Index(fields=["questionnaire", "caf", "question"], name="answer_q_caf_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.value_text or self.value_number or self.value_date}"

    def get_absolute_url(self) -> str:
        """Its page (ecoute:written-answer), for the consultation's team and its respondent: what it
        says and what became of it."""
        return reverse("ecoute:written-answer", kwargs={"pk": self.pk})

    def copy_response_columns(self, response: Response) -> "Answer":
        """Copy the response's questionnaire and segment (audience, Caf) onto this answer."""
        self.response = response
        self.questionnaire_id = response.questionnaire_id
        self.audience = response.audience
        self.caf_id = response.caf_id
        return self


class AnswerChoice(models.Model):
    answer = models.ForeignKey(
        Answer, on_delete=models.CASCADE, related_name="choices", verbose_name=_("réponse")
    )
    option = models.ForeignKey(
        Option, on_delete=models.RESTRICT, related_name="answer_choices", verbose_name=_("option")
    )
    rank = models.PositiveSmallIntegerField(_("rang"), null=True, blank=True)

    class Meta:
        verbose_name = _("option choisie")
        verbose_name_plural = _("options choisies")
        constraints = [
            models.UniqueConstraint(fields=["answer", "option"], name="answer_choice_once")
        ]

    def __str__(self) -> str:
        return f"{self.option_id}" + (f" ({self.rank})" if self.rank else "")


class ParticipationToken(models.Model):
    """ "This browser (or this account) has answered this questionnaire", and nothing else: a
    keyed hash, no link to the response, the day only. The unique constraint makes the check
    hold under concurrent submissions."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.CASCADE,
        related_name="participations",
        verbose_name=_("questionnaire"),
    )
    token_hash = models.CharField(_("empreinte du jeton"), max_length=64)
    created_on = models.DateField(_("créé le"), default=timezone.localdate)

    class Meta:
        verbose_name = _("jeton de participation")
        verbose_name_plural = _("jetons de participation")
        ordering = ["questionnaire", "token_hash"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "token_hash"],
                name="participation_once_per_token",
                violation_error_message=_("Une réponse a déjà été envoyée depuis ce navigateur."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire_id}:{self.token_hash[:8]}…"


class HearBackRequest(models.Model):
    """An e-mail address left to hear what became of a questionnaire's answers: kept apart from
    the answers (no link, the day only), one row per address and questionnaire."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.CASCADE,
        related_name="hear_back_requests",
        verbose_name=_("questionnaire"),
    )
    email = models.EmailField(_("adresse e-mail"))
    created_on = models.DateField(_("demandé le"), default=timezone.localdate)

    class Meta:
        verbose_name = _("demande de retour")
        verbose_name_plural = _("demandes de retour")
        ordering = ["questionnaire", "email"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "email"], name="hear_back_once")
        ]

    def __str__(self) -> str:
        return self.email


class PendingSubmission(models.Model):
    """An anonymous response, or an address left to hear back, waiting to be written among
    others (ecoute.services.batches). Deleted in the transaction that writes it; the time it
    was queued serves only the maximum wait. `payload`: the answers (écoute's JSON form of
    them), the segment and the day for a response; the address and the day for a hear-back."""

    class Kind(models.TextChoices):
        RESPONSE = "response", _("réponse anonyme")
        HEAR_BACK = "hear_back", _("demande de retour")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.PROTECT,
        related_name="pending_submissions",
        verbose_name=_("questionnaire"),
    )
    kind = models.CharField(_("nature"), max_length=10, choices=Kind)
    payload = models.JSONField(_("contenu"))
    queued_on = models.DateField(_("en attente depuis le"), default=timezone.localdate)

    class Meta:
        verbose_name = _("envoi en attente d’écriture anonyme")
        verbose_name_plural = _("envois en attente d’écriture anonyme")
        indexes = [models.Index(fields=["questionnaire", "kind"])]

    def __str__(self) -> str:
        return f"{self.questionnaire_id}: {self.get_kind_display()}"
