"""Response headers: Permissions-Policy everywhere; what belongs to one person (pages seen
signed in, downloads, exports) is never stored by a cache; anonymous public pages still are."""

import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import FileResponse, HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from caflab.core.middleware import PERMISSIONS_POLICY, PrivacyHeadersMiddleware
from tests.conftest import PERSONAS

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = ["core:home", "core:accessibility", "core:legal", "core:privacy", "ecoute:index"]
SIGNED_IN = [name for name in PERSONAS if name != "anonymous"]


def cache_directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_pages_carry_the_permissions_policy_and_stay_cacheable(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert response["Permissions-Policy"] == "camera=(), microphone=(), geolocation=(), payment=()"
    assert not {"private", "no-store"} & cache_directives(response)


def test_error_pages_and_the_health_check_carry_the_permissions_policy(client):
    assert client.get("/introuvable/")["Permissions-Policy"] == PERMISSIONS_POLICY
    assert client.get(reverse("core:health"))["Permissions-Policy"] == PERMISSIONS_POLICY


@pytest.mark.parametrize("persona", SIGNED_IN, indirect=True)
@pytest.mark.parametrize("name", ["core:home", "core:legal", "accounts:profile"])
def test_pages_seen_signed_in_are_never_stored(client, persona, name):
    client.force_login(persona)
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert {"private", "no-store"} <= cache_directives(response)
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY


def test_the_portfolio_export_is_never_stored(client, lab_staff):
    client.force_login(lab_staff)
    response = client.get(reverse("projects:export", kwargs={"fmt": "csv"}))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert {"private", "no-store"} <= cache_directives(response)


def test_my_data_download_is_never_stored(client, citizen):
    client.force_login(citizen)
    response = client.get(reverse("accounts:my-data-download", kwargs={"fmt": "json"}))
    assert response.status_code == 200
    assert {"private", "no-store"} <= cache_directives(response)


# --- The middleware alone: downloads are private whoever asks -----------------------------


def through_middleware(response: HttpResponse, user=None) -> HttpResponse:
    request = RequestFactory().get("/")
    request.user = user or AnonymousUser()
    return PrivacyHeadersMiddleware(lambda _request: response)(request)


def test_a_file_response_is_private_even_for_an_anonymous_visitor():
    response = through_middleware(FileResponse(io.BytesIO(b"data"), filename="export.csv"))
    assert {"private", "no-store"} <= cache_directives(response)


def test_an_attachment_is_private_even_for_an_anonymous_visitor():
    response = HttpResponse(b"a;b", content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="export.csv"'
    assert {"private", "no-store"} <= cache_directives(through_middleware(response))


def test_public_caching_set_by_a_view_is_withdrawn_for_a_signed_in_user(citizen):
    response = HttpResponse("page")
    response["Cache-Control"] = "public, max-age=600"
    directives = cache_directives(through_middleware(response, user=citizen))
    assert {"private", "no-store"} <= directives
    assert "public" not in directives


def test_an_anonymous_page_keeps_the_caching_its_view_chose():
    response = HttpResponse("page")
    response["Cache-Control"] = "public, max-age=600"
    assert cache_directives(through_middleware(response)) == {"public", "max-age=600"}
