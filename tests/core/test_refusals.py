"""A refusal is a message and a redirect (409 for htmx), never a 500: services raise one
domain error type, and RefusalMiddleware answers for every view that does not catch it."""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse

import caflab.urls
from caflab.accounts.pending import AlreadyAssigned
from caflab.accounts.signup import VerificationFailed
from caflab.core.errors import AlreadyDone, DomainError, InvalidState, NotAllowedNow
from ecoute.models import Contribution, ContributionSupport
from ecoute.services import common as ecoute_common
from ecoute.services.communities import InvalidInvitation as CommunityInvitationInvalid
from ecoute.services.recruitment import NotEligible, RegistrationClosed
from evaluation.services.participation import InvalidInvitation as SurveyInvitationInvalid
from evaluation.services.participation import WaveClosed
from projects.services import projects as portfolio
from tests.accounts.factories import UserFactory
from tests.ecoute.factories import ConsultationFactory, ContributionFactory

pytestmark = pytest.mark.django_db


# --- the reported case: an administrator supports an unpublished contribution ----------------


@pytest.fixture
def superuser(db):
    return UserFactory(email="admin@caf.example", admin=True)


@pytest.fixture
def pending_contribution(lab_staff):
    consultation = ConsultationFactory(slug="idees", owner=lab_staff, collects_contributions=True)
    return ContributionFactory(
        consultation=consultation, status=Contribution.Status.PENDING, published_at=None
    )


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_superuser_supporting_an_unpublished_contribution_gets_a_french_message(
    client, superuser, pending_contribution
):
    client.force_login(superuser)
    url = reverse("ecoute:contribution-support", kwargs={"pk": pending_contribution.pk})
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == pending_contribution.get_absolute_url()
    assert texts(response) == ["Seule une contribution publiée peut être soutenue."]
    assert not ContributionSupport.objects.exists()


def test_the_unpublished_contribution_offers_no_support_button(
    client, superuser, pending_contribution
):
    client.force_login(superuser)
    response = client.get(pending_contribution.get_absolute_url())
    assert response.status_code == 200
    assert response.context["can_support"] is False


def test_the_refusal_sends_back_to_the_same_site_page_it_came_from(
    client, superuser, pending_contribution
):
    client.force_login(superuser)
    url = reverse("ecoute:contribution-support", kwargs={"pk": pending_contribution.pk})
    response = client.post(url, HTTP_REFERER="http://testserver/ecoute/")
    assert response["Location"] == "http://testserver/ecoute/"


def test_a_foreign_referer_is_ignored(client, superuser, pending_contribution):
    client.force_login(superuser)
    url = reverse("ecoute:contribution-support", kwargs={"pk": pending_contribution.pk})
    response = client.post(url, HTTP_REFERER="https://ailleurs.example/piege")
    assert response["Location"] == pending_contribution.get_absolute_url()


def test_an_htmx_refusal_is_a_409_with_the_message(client, superuser, pending_contribution):
    client.force_login(superuser)
    url = reverse("ecoute:contribution-support", kwargs={"pk": pending_contribution.pk})
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    assert "Seule une contribution publiée peut être soutenue." in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    # Swapped into the page's message area (base.html's #messages; its htmx-config swaps a 409).
    assert response["HX-Retarget"] == "#messages"
    assert response["HX-Reswap"] == "innerHTML"
    assert not texts(response)  # shown in the swap, not again on the next page


def test_the_layout_has_the_message_area_and_lets_htmx_swap_a_409(client, citizen):
    client.force_login(citizen)
    page = client.get(reverse("core:home")).content.decode()
    assert '<div id="messages">' in page
    assert '{"code":"409","swap":true,"error":false}' in page


def test_a_view_that_catches_the_error_itself_keeps_its_answer(client, citizen, lab_staff):
    consultation = ConsultationFactory(slug="idees", owner=lab_staff, collects_contributions=True)
    contribution = ContributionFactory(consultation=consultation)
    client.force_login(citizen)
    url = reverse("ecoute:contribution-support", kwargs={"pk": contribution.pk})
    client.post(url)
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == contribution.get_absolute_url()
    # The first answer's message was never shown (its redirect not followed): both are queued.
    assert texts(response)[-1] == "Vous soutenez déjà cette contribution."
    assert ContributionSupport.objects.filter(contribution=contribution).count() == 1


# --- the middleware, for any view ------------------------------------------------------------


def already_done(request: HttpRequest) -> HttpResponse:
    raise AlreadyDone("Cette demande est déjà traitée.")


def invalid_state(request: HttpRequest) -> HttpResponse:
    raise InvalidState("Ce projet est clos.", redirect_to="/projets/")


def unsafe_redirect(request: HttpRequest) -> HttpResponse:
    raise NotAllowedNow(redirect_to="https://ailleurs.example/")


def bare_validation_error(request: HttpRequest) -> HttpResponse:
    raise ValidationError("Une contribution publiée seulement.")


def bug(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug stays a bug")


urlpatterns = [
    path("refus/deja/", already_done),
    path("refus/etat/", invalid_state),
    path("refus/ailleurs/", unsafe_redirect),
    path("refus/validation/", bare_validation_error),
    path("refus/bug/", bug),
    *caflab.urls.urlpatterns,
]


@pytest.mark.urls(__name__)
def test_an_uncaught_refusal_is_a_message_and_a_redirect_home(client, agent_a):
    client.force_login(agent_a)
    response = client.post("/refus/deja/")
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert texts(response) == ["Cette demande est déjà traitée."]


@pytest.mark.urls(__name__)
def test_the_error_may_name_where_to_go_back(client, agent_a):
    client.force_login(agent_a)
    response = client.post("/refus/etat/")
    assert response["Location"] == "/projets/"
    assert texts(response) == ["Ce projet est clos."]


@pytest.mark.urls(__name__)
def test_a_foreign_redirect_to_falls_back_home_with_the_default_french_message(client):
    response = client.post("/refus/ailleurs/")
    assert response["Location"] == reverse("core:home")
    assert texts(response) == ["Cette action n’est pas possible pour le moment."]


@pytest.mark.urls(__name__)
def test_a_referer_on_the_refused_url_itself_is_not_followed(client):
    # The refused route may answer POST only: going back to it would be a 405.
    response = client.post("/refus/deja/", HTTP_REFERER="http://testserver/refus/deja/")
    assert response["Location"] == reverse("core:home")


@pytest.mark.urls(__name__)
def test_a_bare_validation_error_escaping_a_view_is_answered_the_same_way(client, caplog):
    response = client.post("/refus/validation/")
    assert response.status_code == 302
    assert texts(response) == ["Une contribution publiée seulement."]
    # The log names no message (it may name a person), only that one got through.
    assert "Une contribution" not in caplog.text
    assert "ValidationError reached the refusal middleware" in caplog.text


@pytest.mark.urls(__name__)
def test_any_other_exception_is_still_an_error(client):
    with pytest.raises(RuntimeError):
        client.post("/refus/bug/")


# --- one base type, the apps' names kept -----------------------------------------------------


@pytest.mark.parametrize(
    "error",
    [
        portfolio.AlreadyDone,
        ecoute_common.AlreadyDone,
        ecoute_common.AlreadyAnswered,
        ecoute_common.RateLimited,
        NotEligible,
        RegistrationClosed,
        CommunityInvitationInvalid,
        SurveyInvitationInvalid,
        WaveClosed,
        AlreadyAssigned,
        VerificationFailed,
    ],
)
def test_every_app_refusal_is_a_domain_error_with_a_french_message(error):
    assert issubclass(error, DomainError)
    raised = error("Message précis.")
    assert str(raised) == "Message précis."


def test_invalid_state_is_still_a_validation_error_for_the_views_that_catch_those():
    with pytest.raises(ValidationError) as caught:
        raise InvalidState("Seule une contribution publiée peut être soutenue.")
    assert caught.value.messages == ["Seule une contribution publiée peut être soutenue."]
    assert str(caught.value) == "Seule une contribution publiée peut être soutenue."
