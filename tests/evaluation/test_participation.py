"""Stakeholder surveys: built with écoute's builder, answered through single-use invitations in
waves, compared wave to wave; testimonies and their consent."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from ecoute.conditions import AnswerValue
from ecoute.models import ParticipationToken, Question, Response
from ecoute.services import AlreadyAnswered
from evaluation.models import SurveyInvitation, SurveyWave, SurveyWaveResponse
from evaluation.models import Testimony as TestimonyModel
from evaluation.services import participation as services
from tests.evaluation.factories import SurveyWaveFactory, make_survey
from tests.evaluation.factories import TestimonyFactory as testimony_factory
from tests.projects.factories import ProjectFactory
from tests.queries import assert_flat_query_count

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://[^\s]+/evaluation/repondre/([^/\s]+)/")


@pytest.fixture
def project(lead):
    return ProjectFactory(lead=lead)


@pytest.fixture
def survey(project):
    return make_survey(project)


@pytest.fixture
def wave(survey):
    return SurveyWaveFactory(survey=survey, kind=SurveyWave.Kind.BEFORE, label="Avant")


def invite(wave, emails, by, capture):
    with capture(execute=True):
        return services.invitations_create(wave=wave, emails=emails, by=by)


def tokens_from(mailoutbox) -> list[str]:
    return [LINK.search(mail.body).group(1) for mail in mailoutbox]


def answers_for(survey, scale=4, choice="Oui"):
    scale_q, choice_q = survey.questionnaire.questions.order_by("position")
    option = choice_q.options.get(label=choice)
    return {
        scale_q.pk: AnswerValue(number=scale),
        choice_q.pk: AnswerValue(choices=(option.pk,)),
    }


def answer_post_data(survey, scale="4", choice="Oui"):
    scale_q, choice_q = survey.questionnaire.questions.order_by("position")
    return {f"q{scale_q.pk}": scale, f"q{choice_q.pk}": str(choice_q.options.get(label=choice).pk)}


# --- invitations -------------------------------------------------------------------------------
def test_invitations_are_mailed_once_with_a_link_whose_token_is_stored_only_hashed(
    wave, lead, mailoutbox, django_capture_on_commit_callbacks
):
    invite(
        wave,
        ["a@example.org", "B@example.org ", "a@example.org"],
        lead,
        django_capture_on_commit_callbacks,
    )
    assert wave.invitations.count() == 2
    assert sorted(m.to[0] for m in mailoutbox) == ["a@example.org", "b@example.org"]
    tokens = tokens_from(mailoutbox)
    for token in tokens:
        assert not SurveyInvitation.objects.filter(token_hash=token).exists()
        invitation = SurveyInvitation.objects.get(token_hash=services.invitation_token_hash(token))
        assert invitation.sent_at is not None
    # Sending again (a retried task) does nothing: sent_at makes it idempotent.
    for invitation in wave.invitations.all():
        assert services.invitation_send(invitation_id=invitation.pk) is False
    assert len(mailoutbox) == 2


def test_an_invitation_answers_once_erases_its_address_and_keeps_no_link(
    survey, wave, lead, mailoutbox, django_capture_on_commit_callbacks
):
    invite(wave, ["habitant@example.org"], lead, django_capture_on_commit_callbacks)
    (token,) = tokens_from(mailoutbox)
    assert services.survey_answer(token=token, answers=answers_for(survey)) == wave
    invitation = SurveyInvitation.objects.get()
    assert invitation.email == ""
    assert invitation.used_at is not None
    link = SurveyWaveResponse.objects.get()
    response = link.response
    assert link.wave == wave
    assert response.respondent is None
    assert response.is_anonymous
    # Nothing ties the response to the invitation: no relation from one to the other.
    relations = {f.related_model for f in SurveyInvitation._meta.get_fields() if f.is_relation}
    assert not relations & {Response, SurveyWaveResponse}
    relations = {f.related_model for f in Response._meta.get_fields() if f.is_relation}
    assert SurveyInvitation not in relations
    with pytest.raises(AlreadyAnswered):
        services.survey_answer(token=token, answers=answers_for(survey))
    assert Response.objects.count() == 1
    assert ParticipationToken.objects.count() == 1


def test_the_answer_page_works_without_account_and_refuses_a_second_use(
    client, survey, wave, lead, mailoutbox, django_capture_on_commit_callbacks
):
    invite(wave, ["habitant@example.org"], lead, django_capture_on_commit_callbacks)
    (token,) = tokens_from(mailoutbox)
    url = reverse("evaluation:survey-answer", kwargs={"token": token})
    page = client.get(url)
    assert page.status_code == 200
    assert "Êtes-vous satisfait" in page.content.decode()
    response = client.post(url, answer_post_data(survey))
    assert response.status_code == 302
    assert response.url == reverse("evaluation:survey-thanks")
    assert SurveyWaveResponse.objects.filter(wave=wave).count() == 1
    again = client.get(url)
    assert "déjà répondu" in again.content.decode()
    again = client.post(url, answer_post_data(survey))
    assert "déjà répondu" in again.content.decode()
    assert SurveyWaveResponse.objects.count() == 1


def test_the_answer_page_keeps_input_on_error(
    client, survey, wave, lead, mailoutbox, django_capture_on_commit_callbacks
):
    invite(wave, ["habitant@example.org"], lead, django_capture_on_commit_callbacks)
    (token,) = tokens_from(mailoutbox)
    url = reverse("evaluation:survey-answer", kwargs={"token": token})
    data = answer_post_data(survey, choice="En partie")
    scale_q = survey.questionnaire.questions.get(kind=Question.Kind.SCALE)
    data[f"q{scale_q.pk}"] = ""  # the required scale left blank
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Cette question est obligatoire." in html
    choice = survey.questionnaire.questions.get(kind=Question.Kind.SINGLE_CHOICE)
    option = choice.options.get(label="En partie")
    assert re.search(rf'value="{option.pk}"[^>]*checked', html)
    assert SurveyInvitation.objects.get().used_at is None


def test_an_unknown_link_is_404_and_a_closed_wave_refuses(
    client, survey, lead, mailoutbox, django_capture_on_commit_callbacks
):
    assert (
        client.get(reverse("evaluation:survey-answer", kwargs={"token": "nope"})).status_code == 404
    )
    today = timezone.localdate()
    later = SurveyWaveFactory(
        survey=survey,
        opens_on=today + datetime.timedelta(days=3),
        closes_on=today + datetime.timedelta(days=9),
    )
    invite(later, ["tot@example.org"], lead, django_capture_on_commit_callbacks)
    (token,) = tokens_from(mailoutbox)
    page = client.get(reverse("evaluation:survey-answer", kwargs={"token": token}))
    assert "Enquête fermée" in page.content.decode()


def test_addresses_of_expired_waves_are_erased(survey, lead):
    today = timezone.localdate()
    old = SurveyWaveFactory(
        survey=survey,
        opens_on=today - datetime.timedelta(days=20),
        closes_on=today - datetime.timedelta(days=1),
    )
    SurveyInvitation.objects.create(wave=old, email="x@example.org", token_hash="h1")
    assert services.invitations_erase_expired() == 1
    assert SurveyInvitation.objects.get().email == ""


# --- waves compared ------------------------------------------------------------------------------
def test_waves_compare_the_same_questions_side_by_side_and_mask_small_waves(survey, client, lead):
    before = SurveyWaveFactory(survey=survey, kind=SurveyWave.Kind.BEFORE, label="Avant")
    after = SurveyWaveFactory(survey=survey, kind=SurveyWave.Kind.AFTER, label="Après")
    small = SurveyWaveFactory(survey=survey, kind=SurveyWave.Kind.FOLLOW_UP, label="Suivi")
    for _ in range(6):
        services.wave_answer_for_demo(wave=before, answers=answers_for(survey, 2, "Non"))
    for _ in range(5):
        services.wave_answer_for_demo(wave=after, answers=answers_for(survey, 5, "Oui"))
    services.wave_answer_for_demo(wave=small, answers=answers_for(survey, 1, "Oui"))
    waves, compared = services.waves_compare(survey)
    assert [w.label for w in waves] == ["Avant", "Après", "Suivi"]
    assert [row.label for row in compared] == [
        "Êtes-vous satisfait de l'accompagnement ?",
        "Connaissez-vous vos droits ?",
    ]
    scale = compared[0]
    assert [c.result.mean if c.result else None for c in scale.columns] == [2, 5, None]
    assert scale.columns[2].is_masked
    choice = compared[1]
    assert [(o.label, o.count) for o in choice.columns[0].result.options] == [
        ("Oui", 0),
        ("En partie", 0),
        ("Non", 6),
    ]
    assert [(o.label, o.count) for o in choice.columns[1].result.options] == [
        ("Oui", 5),
        ("En partie", 0),
        ("Non", 0),
    ]
    client.force_login(lead)
    page = client.get(reverse("evaluation:survey-compare", kwargs={"pk": survey.pk}))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Résultats masqués" in html
    assert f'id="vague{before.pk}-q' in html
    assert f'id="vague{after.pk}-q' in html


# --- the builder, reused -------------------------------------------------------------------------
def test_the_lead_creates_a_survey_adds_questions_and_opens_a_wave(client, project, lead):
    client.force_login(lead)
    response = client.post(
        reverse("evaluation:survey-create", kwargs={"code": project.code}),
        {"title": "Satisfaction des familles", "intro": ""},
    )
    survey = project.surveys.get()
    assert response.url == reverse("evaluation:survey-detail", kwargs={"pk": survey.pk})
    assert survey.questionnaire.consultation is None
    url = reverse("evaluation:survey-question-create", kwargs={"pk": survey.pk})
    assert "Type de question" in client.get(url).content.decode()
    form_page = client.get(url, {"type": "single_choice"}).content.decode()
    assert "Enregistrer la question" in form_page  # écoute's question form, reused
    assert reverse("evaluation:survey-detail", kwargs={"pk": survey.pk}) in form_page  # "Annuler"
    section = survey.questionnaire.sections.get()
    response = client.post(
        url,
        {
            "kind": "single_choice",
            "section": section.pk,
            "label": "Le rendez-vous vous a-t-il aidé ?",
            "display": "buttons",
            "options-TOTAL_FORMS": "3",
            "options-INITIAL_FORMS": "0",
            "options-0-label": "Oui",
            "options-0-ORDER": "1",
            "options-1-label": "Non",
            "options-1-ORDER": "2",
            "options-2-label": "",
            "options-2-ORDER": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    question = survey.questionnaire.questions.get()
    assert list(question.options.values_list("label", flat=True)) == ["Oui", "Non"]
    today = timezone.localdate()
    response = client.post(
        reverse("evaluation:survey-wave-create", kwargs={"pk": survey.pk}),
        {
            "kind": "before",
            "label": "",
            "opens_on": today.isoformat(),
            "closes_on": (today + datetime.timedelta(days=10)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert survey.waves.get().kind == "before"


def test_survey_forms_keep_input_on_error(client, survey, lead):
    client.force_login(lead)
    today = timezone.localdate()
    response = client.post(
        reverse("evaluation:survey-wave-create", kwargs={"pk": survey.pk}),
        {
            "kind": "after",
            "label": "Six mois après",
            "opens_on": today.isoformat(),
            "closes_on": (today - datetime.timedelta(days=2)).isoformat(),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "La clôture doit suivre l" in html
    assert "Six mois après" in html
    wave = SurveyWaveFactory(survey=survey)
    response = client.post(
        reverse("evaluation:survey-wave-invite", kwargs={"pk": wave.pk}),
        {"emails": "bon@example.org\npas-une-adresse"},
    )
    html = response.content.decode()
    assert "Adresses non valides\u00a0: pas-une-adresse" in html
    assert "bon@example.org" in html
    assert not wave.invitations.exists()


# --- testimonies ------------------------------------------------------------------------------
def test_only_consented_testimonies_are_quotable(project):
    yes = testimony_factory(project=project, consent_to_quote=True)
    testimony_factory(project=project, consent_to_quote=False, text="Ne pas citer.")
    testimony_factory(consent_to_quote=True)  # another project
    assert list(services.quotable_testimonies(project)) == [yes]


def test_the_lead_records_a_testimony_and_the_form_keeps_input(client, project, lead):
    client.force_login(lead)
    url = reverse("evaluation:testimony-create", kwargs={"code": project.code})
    response = client.post(url, {"text": "Très utile pour ma famille.", "collected_on": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Très utile pour ma famille." in html
    response = client.post(
        url,
        {
            "text": "Très utile pour ma famille.",
            "tone": "positive",
            "consent_to_quote": "on",
            "collected_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    testimony = TestimonyModel.objects.get()
    assert testimony.consent_to_quote
    assert testimony.collected_by == lead


def test_testimonies_list_costs_a_fixed_number_of_queries(client, project, lead):
    client.force_login(lead)
    url = reverse("evaluation:testimonies", kwargs={"code": project.code})

    def add(n):
        testimony_factory.create_batch(n, project=project, collected_by=lead)

    assert_flat_query_count(client, url, add, expected=TESTIMONIES_QUERIES)


def test_testimonies_are_listed_30_per_page_newest_first(client, project, lead):
    client.force_login(lead)
    today = timezone.localdate()
    for days in range(31):
        testimony_factory(
            project=project,
            text=f"Témoignage du jour {days}",
            collected_on=today - datetime.timedelta(days=days),
        )
    url = reverse("evaluation:testimonies", kwargs={"code": project.code})

    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()

    assert first.count('class="card mb-3"') == 30
    assert "Témoignage du jour 0<" in first
    assert "Témoignage du jour 30<" not in first
    assert "Page 1 sur 2" in first
    assert second.count('class="card mb-3"') == 1
    assert "Témoignage du jour 30<" in second


def test_survey_list_costs_a_fixed_number_of_queries(client, project, lead):
    client.force_login(lead)
    url = reverse("evaluation:surveys", kwargs={"code": project.code})

    def add(n):
        for i in range(n):
            survey = make_survey(project, title=f"Enquête {i}", questions=0)
            SurveyWaveFactory(survey=survey)

    assert_flat_query_count(client, url, add, expected=SURVEYS_QUERIES)


TESTIMONIES_QUERIES = 6  # with the paginator's count
SURVEYS_QUERIES = 5


def test_questions_are_hidden_and_deleted_only_before_answers(client, survey, wave, lead):
    client.force_login(lead)
    scale_q, choice_q = survey.questionnaire.questions.order_by("position")
    kwargs = {"pk": survey.pk, "question_pk": choice_q.pk}
    client.post(reverse("evaluation:survey-question-toggle", kwargs=kwargs))
    choice_q.refresh_from_db()
    assert choice_q.is_hidden
    services.wave_answer_for_demo(wave=wave, answers={scale_q.pk: AnswerValue(number=3)})
    response = client.post(reverse("evaluation:survey-question-delete", kwargs=kwargs))
    assert response.status_code == 302
    assert survey.questionnaire.questions.filter(pk=choice_q.pk).exists()  # answers exist


def test_the_beat_schedule_resends_pending_invitations_with_registered_tasks():
    from caflab.celery import app

    app.loader.import_default_modules()  # what a worker does at start: autodiscovery
    for name in (
        "evaluation-send-pending-survey-invitations",
        "evaluation-erase-expired-invitation-addresses",
    ):
        assert app.conf.beat_schedule[name]["task"] in app.tasks


def test_the_invitation_tasks_keep_the_names_queued_messages_carry():
    """They moved from evaluation/tasks_participation.py into evaluation/tasks.py: messages
    already in the broker and the beat schedule name them by their old module."""
    from caflab.celery import app
    from evaluation import tasks

    app.loader.import_default_modules()  # what a worker does at start: autodiscovery
    for task in (
        tasks.send_survey_invitation,
        tasks.send_pending_survey_invitations,
        tasks.erase_expired_invitation_addresses,
    ):
        assert task.name == f"evaluation.tasks_participation.{task.__name__}"
        assert task.name in app.tasks


def test_pending_invitations_are_sent_again_after_a_broker_outage(
    wave, lead, mailoutbox, django_capture_on_commit_callbacks
):
    SurveyInvitation.objects.create(wave=wave, email="lost@example.org", token_hash="h-lost")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.invitations_send_pending() == 1
    assert [m.to for m in mailoutbox] == [["lost@example.org"]]
    with django_capture_on_commit_callbacks(execute=True):
        assert services.invitations_send_pending() == 0
