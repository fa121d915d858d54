"""Consultation bodies and restitutions in Markdown: the public pages show their lists and links;
the edit forms' "Aperçu" shows the text and saves nothing."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from ecoute.models import Consultation, Restitution
from ecoute.services.restitution import DecisionSpec, restitution_save

pytestmark = pytest.mark.django_db

TYPED = "Nous voulons savoir :\n- ce qui vous **aide**\n- ce qui vous gêne, sur https://www.caf.fr"


def assert_rendered(html: str) -> None:
    assert "<li>ce qui vous <strong>aide</strong></li>" in html
    assert '<a href="https://www.caf.fr" rel="nofollow noopener">https://www.caf.fr</a>' in html


@pytest.fixture
def closed(consultation):
    consultation.status = Consultation.Status.CLOSED
    consultation.status_changed_at = timezone.now() - datetime.timedelta(days=2)
    consultation.opens_at = timezone.now() - datetime.timedelta(days=20)
    consultation.closes_at = consultation.status_changed_at
    consultation.save()
    return consultation


def test_the_consultation_page_shows_its_body_as_a_list_with_a_link(client, consultation):
    consultation.body = TYPED
    consultation.save(update_fields=["body"])
    assert_rendered(client.get(consultation.get_absolute_url()).content.decode())


def test_the_restitution_page_shows_the_synthesis_and_decisions_as_lists(client, closed, lab_staff):
    restitution_save(
        consultation=closed,
        by=lab_staff,
        synthesis=TYPED,
        decisions=[DecisionSpec(said="L'attente", done="- un *accueil* sur rendez-vous")],
    )
    Restitution.objects.update(status=Restitution.Status.PUBLISHED, published_at=timezone.now())
    html = client.get(reverse("ecoute:restitution", kwargs={"slug": closed.slug})).content
    html = html.decode()
    assert_rendered(html)
    assert "<li>un <em>accueil</em> sur rendez-vous</li>" in html


def test_the_consultation_preview_saves_nothing_and_keeps_what_was_typed(
    client, consultation, lab_staff
):
    client.force_login(lab_staff)
    url = reverse("ecoute:update", kwargs={"pk": consultation.pk})
    response = client.post(url, {"title": "Autre titre", "body": TYPED, "preview": "Aperçu"})
    assert response.status_code == 200
    consultation.refresh_from_db()
    assert (consultation.title, consultation.body) == ("Votre accueil à la Caf", "")
    assert_rendered(response.content.decode().split('id="apercu-titre"')[1])
    assert response.context["form"]["body"].value() == TYPED
    assert response.context["form"]["title"].value() == "Autre titre"


def test_the_restitution_preview_saves_nothing_and_keeps_what_was_typed(client, closed, lab_staff):
    client.force_login(lab_staff)
    url = reverse("ecoute:restitution-edit", kwargs={"pk": closed.pk})
    assert 'name="preview"' in client.get(url).content.decode()
    data = {
        "synthesis": TYPED,
        "decisions-TOTAL_FORMS": "1",
        "decisions-INITIAL_FORMS": "0",
        "decisions-0-said": "Des horaires plus larges",
        "decisions-0-done": "Ouvert le samedi",
        "preview": "1",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert not Restitution.objects.exists()
    html = response.content.decode()
    assert_rendered(html.split('id="apercu-titre"')[1].split("</section>")[0])
    assert response.context["form"]["synthesis"].value() == TYPED
    assert "Des horaires plus larges" in html
