"""The anonymity guarantee, checked on the tables' shapes and on the rows an anonymous answer
leaves behind: no user, no IP address anywhere, the date to the day only, the participation
token stored hashed in a table of its own, the e-mail to hear back with no link to the answer."""

import pytest
from django.apps import apps
from django.db import connection, models
from django.test import Client
from django.urls import reverse

from ecoute.models import (
    Answer,
    AnswerChoice,
    HearBackRequest,
    ParticipationToken,
    Response,
)
from ecoute.services import browser_participation_key
from ecoute.views.answering import PARTICIPATION_COOKIE
from tests.ecoute.factories import option

pytestmark = pytest.mark.django_db

IP = "203.0.113.42"
EMAIL = "temoin.anonyme@example.org"
ANSWER_TABLES = (Response, Answer, AnswerChoice, ParticipationToken, HearBackRequest)


@pytest.fixture
def answered(anonymous_consultation):
    browser = Client(REMOTE_ADDR=IP, HTTP_USER_AGENT="Navigateur-Temoin/1.0")
    url = reverse("ecoute:answer", kwargs={"slug": anonymous_consultation.slug})
    browser.get(url)
    choice = anonymous_consultation.questionnaire.questions.get()
    response = browser.post(
        url,
        {"etape": 1, f"q{choice.pk}": option(choice, "Oui").pk, "fin-hear_back_email": EMAIL},
    )
    assert response.status_code == 302
    return browser


def test_no_answer_table_has_a_timestamp_a_user_other_than_the_named_respondent_or_an_ip():
    for model in ANSWER_TABLES:
        for field in model._meta.concrete_fields:
            assert not isinstance(field, models.DateTimeField), f"{model.__name__}.{field.name}"
            assert not isinstance(field, models.GenericIPAddressField), (
                f"{model.__name__}.{field.name}"
            )
            assert "ip" not in field.name.split("_"), f"{model.__name__}.{field.name}"
            if field.is_relation and field.related_model._meta.label == "accounts.User":
                assert (model, field.name) == (Response, "respondent")


def test_responses_tokens_and_hear_back_requests_have_random_ids():
    """Sequential ids would give away the order of arrival, and let the n-th e-mail be matched
    with the n-th answer of a day."""
    for model in (Response, ParticipationToken, HearBackRequest):
        assert isinstance(model._meta.pk, models.UUIDField)


def test_the_participation_token_and_the_email_have_no_link_to_the_response():
    for model in (ParticipationToken, HearBackRequest):
        related = {f.related_model for f in model._meta.get_fields() if f.is_relation}
        assert Response not in related
    assert not any(
        f.related_model in (ParticipationToken, HearBackRequest)
        for f in Response._meta.get_fields()
        if f.is_relation
    )


def test_an_anonymous_answer_stores_no_user_and_only_the_day(answered, anonymous_consultation):
    stored = Response.objects.get()
    assert stored.respondent_id is None
    assert stored.is_anonymous
    assert stored.caf_id is None
    assert type(stored.submitted_on).__name__ == "date"


def test_the_ip_address_and_the_browser_appear_in_no_table_of_the_app(answered):
    """Scan every column of every écoute table (and the sessions) for the address and the
    browser's name."""
    tables = [m._meta.db_table for m in apps.get_app_config("ecoute").get_models()]
    tables.append("django_session")
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                text = " ".join(str(value) for value in row)
                assert IP not in text, table
                assert "Navigateur-Temoin" not in text, table


def test_the_token_is_stored_only_as_a_keyed_hash_apart_from_the_response(
    answered, anonymous_consultation
):
    token = answered.cookies[PARTICIPATION_COOKIE].value
    stored = ParticipationToken.objects.get()
    assert token not in stored.token_hash
    assert stored.token_hash == browser_participation_key(
        anonymous_consultation.questionnaire, token
    )
    assert len(stored.token_hash) == 64
    assert type(stored.created_on).__name__ == "date"


def test_the_email_to_hear_back_is_kept_with_the_day_only_and_no_link(
    answered, anonymous_consultation
):
    request = HearBackRequest.objects.get()
    assert request.email == EMAIL
    assert type(request.created_on).__name__ == "date"
    response = Response.objects.get()
    assert EMAIL not in str(list(Response.objects.values().get().values()))
    assert not Answer.objects.filter(response=response, value_text__contains=EMAIL).exists()


def test_the_participation_cookie_is_http_only_and_same_site(answered):
    cookie = answered.cookies[PARTICIPATION_COOKIE]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_the_form_carries_the_written_anonymity_statement(client, anonymous_consultation):
    page = client.get(reverse("ecoute:answer", kwargs={"slug": anonymous_consultation.slug}))
    html = page.content.decode()
    assert "Votre réponse est anonyme" in html
    assert "ni votre adresse IP" in html


def test_a_one_page_anonymous_answer_leaves_no_session_behind(answered):
    from django.contrib.sessions.models import Session

    assert not Session.objects.exists()
