"""The "Écoute" section of a Caf's dashboard: the consultations that concern the Caf
(organised by it or with it in their perimeter), their status and restitution state; never
another Caf's alone, never a draft the reader does not run; a fixed number of queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from ecoute.models import Consultation
from tests.ecoute.factories import ConsultationFactory
from tests.queries import count_queries

pytestmark = pytest.mark.django_db


def dashboard(code: str = "38") -> str:
    return reverse("network:caf-dashboard", kwargs={"code": code})


def panel(client, user, code: str = "38") -> dict:
    client.force_login(user)
    response = client.get(dashboard(code))
    assert response.status_code == 200
    return response


def overdue(**fields) -> Consultation:
    closed_on = timezone.now() - datetime.timedelta(days=90)
    return ConsultationFactory(
        status=Consultation.Status.CLOSED,
        opens_at=closed_on - datetime.timedelta(days=30),
        closes_at=closed_on,
        **fields,
    )


def test_the_panel_lists_the_cafs_consultations_with_status_and_restitution(
    client, correspondent_a, caf_a, caf_b
):
    organised = ConsultationFactory(caf=caf_a, title="Accueil de l’Isère")
    national_with_isere = overdue(title="Consultation sur les courriers")
    national_with_isere.perimeter_cafs.add(caf_a)
    ConsultationFactory(caf=caf_b, title="Accueil du Rhône")
    ConsultationFactory(title="Nationale sans périmètre")
    ConsultationFactory(
        caf=caf_b, title="Brouillon du Rhône", status=Consultation.Status.DRAFT
    ).perimeter_cafs.add(caf_a)

    response = panel(client, correspondent_a)
    html = response.content.decode()
    assert "apparaîtront ici" not in html
    assert "Accueil de l’Isère" in html
    assert "Consultation sur les courriers" in html
    for absent in ("Accueil du Rhône", "Nationale sans périmètre", "Brouillon du Rhône"):
        assert absent not in html
    assert "Restitution en retard" in html
    # The correspondent runs their Caf's consultation: its management page.
    assert f'href="{organised.get_manage_url()}"' in html
    assert f'href="{national_with_isere.get_absolute_url()}"' in html
    assert "2 consultations concernent cette Caf" in html


def test_a_caf_without_consultation_says_so(client, lab_staff):
    html = panel(client, lab_staff, "69").content.decode()
    assert "Aucune consultation ne concerne encore cette Caf." in html


def test_the_list_is_capped_and_costs_the_same_queries_at_two_sizes(client, lab_staff, caf_a):
    ConsultationFactory.create_batch(3, caf=caf_a)
    client.force_login(lab_staff)
    small = count_queries(client, dashboard())
    ConsultationFactory.create_batch(12, caf=caf_a)
    large = count_queries(client, dashboard())
    assert small == large
    html = client.get(dashboard()).content.decode()
    assert "15 consultations concernent cette Caf" in html
    assert "Les 10 plus récentes" in html
