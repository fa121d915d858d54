import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_robots_txt_is_plain_text_without_a_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("core:robots"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    for private in ("/admin/", "/comptes/", "/projets/", "/ecoute/gestion/"):
        assert f"Disallow: {private}" in lines
    # the public consultations stay crawlable
    assert "Disallow: /ecoute/" not in lines


def test_favicon_redirects_to_the_static_icon(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("core:favicon"))
    assert response.status_code == 302
    assert response["Location"].endswith(".svg")


def test_favicon_without_an_icon_answers_no_content(client, settings):
    settings.FAVICON_STATIC_PATH = "img/absent-favicon.svg"
    assert client.get(reverse("core:favicon")).status_code == 204
