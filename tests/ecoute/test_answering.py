"""Answering: one section per page with conditions decided on the server, one answer per person
(a database constraint), anonymous answers guarded by a participation token and a rate limit,
assisted answers flagged, and every kind of question stored as rows."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from ecoute.conditions import AnswerValue
from ecoute.models import (
    Answer,
    AnswerChoice,
    Audience,
    Consultation,
    HearBackRequest,
    ParticipationToken,
    Question,
    Response,
)
from ecoute.services import AlreadyAnswered, response_submit
from tests.ecoute.factories import QuestionFactory, SectionFactory, first_section, option

pytestmark = pytest.mark.django_db


def answer_url(consultation: Consultation, step: int | None = None) -> str:
    url = reverse("ecoute:answer", kwargs={"slug": consultation.slug})
    return f"{url}?etape={step}" if step else url


def post_step(client, consultation, step, data, url=None):
    return client.post(url or answer_url(consultation), {"etape": step, **data})


@pytest.fixture
def choice(consultation) -> Question:
    return consultation.questionnaire.questions.get(kind=Question.Kind.SINGLE_CHOICE)


@pytest.fixture
def three_sections(consultation, choice):
    """Section 1: satisfied? (Oui/Non). Section 2: "why?" only if Non (required), and a question
    always shown. Section 3: only a question shown if Non: the whole section is skipped on Oui."""
    questionnaire = consultation.questionnaire
    questionnaire.questions.exclude(pk=choice.pk).delete()
    second = SectionFactory(questionnaire=questionnaire, title="Vos raisons", position=2)
    third = SectionFactory(questionnaire=questionnaire, title="Pour aller plus loin", position=3)
    non = option(choice, "Non")
    why = QuestionFactory(
        section=second,
        kind=Question.Kind.LONG_TEXT,
        label="Pourquoi ?",
        is_required=True,
        condition_question=choice,
        condition_operator=Question.Operator.EQUALS,
        condition_option=non,
    )
    always = QuestionFactory(section=second, label="Votre ville ?")
    further = QuestionFactory(
        section=third,
        label="Que faudrait-il changer ?",
        condition_question=choice,
        condition_operator=Question.Operator.EQUALS,
        condition_option=non,
    )
    return {"why": why, "always": always, "further": further}


# --- conditions, decided on the server --------------------------------------------------------


def test_a_question_whose_condition_is_not_met_is_skipped_on_the_next_section(
    client, citizen, consultation, choice, three_sections
):
    client.force_login(citizen)
    first = client.get(answer_url(consultation))
    # the count follows the answers: section 3 is not counted until "Non" makes it needed
    assert "Section 1 sur 2" in first.content.decode()

    response = post_step(client, consultation, 1, {f"q{choice.pk}": option(choice, "Oui").pk})
    assert response["Location"] == answer_url(consultation, 2)
    page = client.get(response["Location"]).content.decode()
    assert "Votre ville ?" in page
    assert "Pourquoi ?" not in page
    assert "Section 2 sur 2" in page  # section 3 holds only a skipped question

    response = post_step(client, consultation, 2, {f"q{three_sections['always'].pk}": "Grenoble"})
    assert response["Location"] == reverse("ecoute:thanks", kwargs={"slug": consultation.slug})
    stored = Response.objects.get()
    assert set(stored.answers.values_list("question__label", flat=True)) == {
        "Êtes-vous satisfait de l'accueil ?",
        "Votre ville ?",
    }


def test_the_condition_met_shows_the_question_and_its_required_rule(
    client, citizen, consultation, choice, three_sections
):
    client.force_login(citizen)
    post_step(client, consultation, 1, {f"q{choice.pk}": option(choice, "Non").pk})
    page = client.get(answer_url(consultation, 2)).content.decode()
    assert "Pourquoi ?" in page
    assert "Section 2 sur 3" in page
    response = post_step(client, consultation, 2, {})
    assert response.status_code == 200
    assert "Cette question est obligatoire." in response.content.decode()
    assert 'id="resume-erreurs"' in response.content.decode()


def test_changing_an_earlier_answer_drops_the_answers_its_conditions_no_longer_show(
    client, citizen, consultation, choice, three_sections
):
    client.force_login(citizen)
    post_step(client, consultation, 1, {f"q{choice.pk}": option(choice, "Non").pk})
    post_step(client, consultation, 2, {f"q{three_sections['why'].pk}": "Trop d'attente"})
    # back to step 1, now satisfied: "why?" and section 3 disappear
    post_step(client, consultation, 1, {f"q{choice.pk}": option(choice, "Oui").pk})
    response = post_step(client, consultation, 2, {f"q{three_sections['why'].pk}": "ignoré"})
    assert response["Location"].endswith("/merci/")
    assert not Answer.objects.filter(question=three_sections["why"]).exists()


def test_a_conditional_question_on_the_same_page_carries_its_hint_and_is_dropped_if_unmet(
    client, citizen, consultation, choice
):
    why = QuestionFactory(
        section=first_section(consultation),
        kind=Question.Kind.SHORT_TEXT,
        label="Pourquoi ?",
        is_required=True,
        condition_question=choice,
        condition_operator=Question.Operator.EQUALS,
        condition_option=option(choice, "Non"),
    )
    client.force_login(citizen)
    page = client.get(answer_url(consultation)).content.decode()
    assert f'data-condition-source="q{choice.pk}"' in page
    assert "À remplir seulement si vous avez répondu «\u00a0Non\u00a0»" in page
    assert 'src="/static/js/ecoute-conditions.js"' in page

    # without JavaScript the respondent may still type in it: the server drops it
    response = post_step(
        client, consultation, 1, {f"q{choice.pk}": option(choice, "Oui").pk, f"q{why.pk}": "x"}
    )
    assert response.status_code == 302
    assert not Answer.objects.filter(question=why).exists()


def test_a_required_conditional_question_on_the_same_page_is_required_only_when_shown(
    client, citizen, consultation, choice
):
    why = QuestionFactory(
        section=first_section(consultation),
        label="Pourquoi ?",
        is_required=True,
        condition_question=choice,
        condition_operator=Question.Operator.EQUALS,
        condition_option=option(choice, "Non"),
    )
    client.force_login(citizen)
    response = post_step(client, consultation, 1, {f"q{choice.pk}": option(choice, "Non").pk})
    assert response.status_code == 200
    assert response.context["form"].errors[f"q{why.pk}"] == ["Cette question est obligatoire."]


def test_going_back_keeps_the_answers_given(client, citizen, consultation, choice, three_sections):
    client.force_login(citizen)
    post_step(client, consultation, 1, {f"q{choice.pk}": option(choice, "Non").pk})
    response = post_step(
        client, consultation, 2, {f"q{three_sections['always'].pk}": "Lyon", "precedent": "1"}
    )
    assert response["Location"] == answer_url(consultation, 1)
    page = client.get(answer_url(consultation, 1)).content.decode()
    non = option(choice, "Non").pk
    assert f'value="{non}" class="form-check-input" id="id_q{choice.pk}_1" checked' in page
    page = client.get(answer_url(consultation, 2)).content.decode()
    assert 'value="Lyon"' in page


# --- one answer per person ---------------------------------------------------------------------


def test_the_database_refuses_a_second_response_of_the_same_person(consultation, citizen):
    questionnaire = consultation.questionnaire
    Response.objects.create(questionnaire=questionnaire, respondent=citizen, audience="citizen")
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(questionnaire=questionnaire, respondent=citizen, audience="citizen")


def test_the_service_says_already_answered_rather_than_failing(consultation, choice, citizen):
    answers = {choice.pk: AnswerValue(choices=(option(choice, "Oui").pk,))}
    kwargs = {
        "questionnaire": consultation.questionnaire,
        "answers": answers,
        "audience": Audience.CITIZEN,
        "respondent": citizen,
    }
    response_submit(**kwargs)
    with pytest.raises(AlreadyAnswered, match="Vous avez déjà répondu"):
        response_submit(**kwargs)
    assert Response.objects.count() == 1


def test_a_person_who_answered_sees_so_instead_of_the_form(client, citizen, consultation, choice):
    client.force_login(citizen)
    post_step(client, consultation, 1, {f"q{choice.pk}": option(choice, "Oui").pk})
    page = client.get(answer_url(consultation))
    assert "Vous avez déjà répondu" in page.content.decode()
    again = post_step(client, consultation, 1, {f"q{choice.pk}": option(choice, "Non").pk})
    assert again.status_code == 200
    assert "Vous avez déjà répondu" in again.content.decode()
    assert Response.objects.count() == 1
    detail = client.get(consultation.get_absolute_url()).content.decode()
    assert "Vous avez déjà répondu à cette consultation" in detail


def test_a_missing_required_answer_sends_back_to_its_section(client, citizen, consultation, choice):
    second = SectionFactory(questionnaire=consultation.questionnaire, position=2)
    QuestionFactory(section=second, label="Votre âge ?")
    client.force_login(citizen)
    # jump straight to the last section: the first one's required question is missing
    response = post_step(client, consultation, 2, {})
    assert response["Location"] == answer_url(consultation, 1)
    assert not Response.objects.exists()


def test_a_closed_consultation_takes_no_answer(client, citizen, consultation):
    Consultation.objects.filter(pk=consultation.pk).update(status=Consultation.Status.CLOSED)
    client.force_login(citizen)
    response = client.get(answer_url(consultation))
    assert response["Location"] == consultation.get_absolute_url()


# --- anonymous answers -------------------------------------------------------------------------


def anonymous_answer(client, consultation, **extra):
    choice = consultation.questionnaire.questions.get()
    client.get(answer_url(consultation))  # sets the participation cookie
    return post_step(client, consultation, 1, {f"q{choice.pk}": option(choice, "Oui").pk, **extra})


def test_an_anonymous_visitor_answers_without_an_account(client, anonymous_consultation):
    response = anonymous_answer(client, anonymous_consultation)
    assert response.status_code == 302
    stored = Response.objects.get()
    assert stored.respondent is None
    assert stored.is_anonymous
    assert stored.audience == Audience.CITIZEN


def test_a_second_answer_from_the_same_browser_is_refused(client, anonymous_consultation):
    anonymous_answer(client, anonymous_consultation)
    assert (
        "Vous avez déjà répondu" in client.get(answer_url(anonymous_consultation)).content.decode()
    )
    again = anonymous_answer(client, anonymous_consultation)
    assert "Vous avez déjà répondu" in again.content.decode()
    assert Response.objects.count() == 1


def test_a_new_browser_is_accepted(client, anonymous_consultation):
    anonymous_answer(client, anonymous_consultation)
    anonymous_answer(Client(), anonymous_consultation)
    assert Response.objects.count() == 2
    assert ParticipationToken.objects.count() == 2


def test_a_browser_refusing_cookies_is_told_to_accept_them(client, anonymous_consultation):
    choice = anonymous_consultation.questionnaire.questions.get()
    response = post_step(
        client, anonymous_consultation, 1, {f"q{choice.pk}": option(choice, "Oui").pk}
    )
    assert response.status_code == 400
    assert "autorisez les cookies" in response.content.decode()
    assert not Response.objects.exists()


def test_a_signed_in_person_answering_anonymously_answers_once_per_account(
    anonymous_consultation, citizen
):
    for _ in range(2):
        browser = Client()
        browser.force_login(citizen)
        anonymous_answer(browser, anonymous_consultation)
    stored = Response.objects.get()
    assert stored.respondent is None
    assert stored.is_anonymous


def test_anonymous_submissions_are_rate_limited_per_connection(settings, anonymous_consultation):
    settings.ECOUTE_ANONYMOUS_RATE_LIMIT = 2
    for _ in range(2):
        assert anonymous_answer(Client(), anonymous_consultation).status_code == 302
    refused = anonymous_answer(Client(), anonymous_consultation)
    assert refused.status_code == 429
    assert "Trop de réponses ont été envoyées depuis cette connexion" in refused.content.decode()
    other_connection = anonymous_answer(Client(REMOTE_ADDR="10.1.2.3"), anonymous_consultation)
    assert other_connection.status_code == 302
    assert Response.objects.count() == 3


PROXY = "10.0.0.2"


def proxied_browser(visitor: str, remote_addr: str = PROXY) -> Client:
    """A fresh browser (no participation cookie) reaching the site through `remote_addr`."""
    return Client(REMOTE_ADDR=remote_addr, HTTP_X_FORWARDED_FOR=visitor)


def test_twelve_visitors_behind_our_proxy_are_all_accepted(settings, anonymous_consultation):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    statuses = [
        anonymous_answer(proxied_browser(f"198.51.100.{n}"), anonymous_consultation).status_code
        for n in range(1, 13)
    ]
    assert statuses == [302] * 12
    assert Response.objects.count() == 12


def test_the_same_visitor_behind_our_proxy_is_limited(settings, anonymous_consultation):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.ECOUTE_ANONYMOUS_RATE_LIMIT = 10
    statuses = [
        anonymous_answer(proxied_browser("198.51.100.7"), anonymous_consultation).status_code
        for _ in range(12)
    ]
    assert statuses == [302] * 10 + [429] * 2


def test_a_forged_forwarded_address_from_outside_does_not_move_the_limit(
    settings, anonymous_consultation
):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.ECOUTE_ANONYMOUS_RATE_LIMIT = 10
    statuses = [
        anonymous_answer(
            proxied_browser(f"198.51.100.{n}", remote_addr="203.0.113.9"), anonymous_consultation
        ).status_code
        for n in range(1, 13)
    ]
    assert statuses == [302] * 10 + [429] * 2


# --- assisted answers and hearing back -----------------------------------------------------


def test_an_agent_enters_answers_for_visitors_flagged_and_not_as_respondent(
    client, agent_a, consultation, choice, caf_a
):
    client.force_login(agent_a)
    url = reverse("ecoute:assist", kwargs={"slug": consultation.slug})
    assert "Saisie pour un visiteur" in client.get(url).content.decode()
    for label in ("Oui", "Non"):
        response = post_step(
            client, consultation, 1, {f"q{choice.pk}": option(choice, label).pk}, url
        )
        assert response["Location"] == consultation.get_absolute_url()
    assert Response.objects.count() == 2
    for stored in Response.objects.all():
        assert stored.is_assisted
        assert stored.respondent is None
        assert stored.audience == Audience.CITIZEN
        assert stored.caf == caf_a


def test_citizens_cannot_enter_assisted_answers(client, citizen, consultation):
    client.force_login(citizen)
    assert (
        client.get(reverse("ecoute:assist", kwargs={"slug": consultation.slug})).status_code == 403
    )


def test_an_email_left_to_hear_back_is_stored_apart(client, anonymous_consultation):
    anonymous_answer(client, anonymous_consultation, **{"fin-hear_back_email": "Marie@Example.org"})
    request = HearBackRequest.objects.get()
    assert request.email == "marie@example.org"
    assert request.questionnaire == anonymous_consultation.questionnaire
    assert {f.name for f in HearBackRequest._meta.get_fields()} == {
        "id",
        "questionnaire",
        "email",
        "created_on",
    }


def test_a_respondent_may_name_their_caf_for_the_results(
    client, citizen, consultation, choice, caf_b
):
    client.force_login(citizen)
    post_step(
        client, consultation, 1, {f"q{choice.pk}": option(choice, "Oui").pk, "fin-caf": caf_b.pk}
    )
    assert Response.objects.get().caf == caf_b


# --- every kind of question ---------------------------------------------------------------------


@pytest.fixture
def every_kind(consultation, choice):
    section = first_section(consultation)
    return {
        "multiple": QuestionFactory(
            section=section,
            kind=Question.Kind.MULTIPLE_CHOICE,
            label="Vos canaux",
            max_choices=2,
            allow_other=True,
            options=["Téléphone", "Courriel", "Accueil"],
        ),
        "scale": QuestionFactory(
            section=section, kind=Question.Kind.SCALE, label="Note", scale_min=0, scale_max=10
        ),
        "ranking": QuestionFactory(
            section=section, kind=Question.Kind.RANKING, label="Priorités", options=["A", "B", "C"]
        ),
        "number": QuestionFactory(
            section=section, kind=Question.Kind.NUMBER, label="Enfants", number_min=0, number_max=20
        ),
        "date": QuestionFactory(section=section, kind=Question.Kind.DATE, label="Dernière visite"),
        "consent": QuestionFactory(
            section=section, kind=Question.Kind.CONSENT, label="J'accepte d'être recontacté"
        ),
    }


def test_every_kind_of_answer_is_stored_in_its_column(
    client, citizen, consultation, choice, every_kind
):
    q = every_kind
    ranking = {
        f"q{q['ranking'].pk}_r{option(q['ranking'], label).pk}": rank
        for label, rank in (("A", 2), ("B", 1), ("C", 3))
    }
    client.force_login(citizen)
    response = post_step(
        client,
        consultation,
        1,
        {
            f"q{choice.pk}": option(choice, "Non").pk,
            f"q{q['multiple'].pk}": [option(q["multiple"], "Courriel").pk, "autre"],
            f"q{q['multiple'].pk}_autre": "Courrier postal",
            f"q{q['scale'].pk}": "8",
            **ranking,
            f"q{q['number'].pk}": "3",
            f"q{q['date'].pk}": "2026-03-01",
            f"q{q['consent'].pk}": "on",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    answers = {a.question_id: a for a in Answer.objects.all()}
    assert answers[q["scale"].pk].value_number == Decimal(8)
    assert answers[q["number"].pk].value_number == Decimal(3)
    assert answers[q["date"].pk].value_date == datetime.date(2026, 3, 1)
    assert answers[q["consent"].pk].value_bool is True
    assert answers[q["multiple"].pk].other_text == "Courrier postal"
    assert list(
        AnswerChoice.objects.filter(answer=answers[q["multiple"].pk]).values_list(
            "option__label", flat=True
        )
    ) == ["Courriel"]
    assert dict(
        AnswerChoice.objects.filter(answer=answers[q["ranking"].pk]).values_list(
            "option__label", "rank"
        )
    ) == {"A": 2, "B": 1, "C": 3}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("multiple", ["Téléphone", "Courriel", "Accueil"], "Choisissez au plus 2 réponses."),
        ("multiple_other", ["autre"], "Précisez votre réponse."),
        ("number", "25", "inférieure ou égale à 20"),
        ("ranking_twice", None, "Deux propositions ont le même rang"),
        ("ranking_gap", None, "sans sauter de rang"),
    ],
)
def test_invalid_answers_are_explained_next_to_their_question(
    client, citizen, consultation, choice, every_kind, field, value, message
):
    q = every_kind
    data = {f"q{choice.pk}": option(choice, "Oui").pk}
    ranked = [option(q["ranking"], label).pk for label in ("A", "B", "C")]
    if field == "multiple":
        data[f"q{q['multiple'].pk}"] = [option(q["multiple"], label).pk for label in value]
    elif field == "multiple_other":
        data[f"q{q['multiple'].pk}"] = value
    elif field == "number":
        data[f"q{q['number'].pk}"] = value
    elif field == "ranking_twice":
        data.update({f"q{q['ranking'].pk}_r{ranked[0]}": 1, f"q{q['ranking'].pk}_r{ranked[1]}": 1})
    else:
        data.update({f"q{q['ranking'].pk}_r{ranked[0]}": 1, f"q{q['ranking'].pk}_r{ranked[1]}": 3})
    client.force_login(citizen)
    response = post_step(client, consultation, 1, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'role="alert"' in html
    assert not Response.objects.exists()


def test_a_single_choice_other_text_without_other_chosen_is_refused(
    client, citizen, consultation, choice
):
    Question.objects.filter(pk=choice.pk).update(allow_other=True)
    client.force_login(citizen)
    response = post_step(
        client,
        consultation,
        1,
        {f"q{choice.pk}": option(choice, "Oui").pk, f"q{choice.pk}_autre": "Autre chose"},
    )
    assert "choisissez «\u00a0Autre\u00a0» ou effacez ce texte" in response.content.decode()
