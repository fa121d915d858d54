"""Écoute's panel on the director's cockpit (ecoute.cockpit, page "portfolio_dashboard"): the
restitutions owed to participants, overdue first, each linking to where it is written."""

import datetime

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from ecoute import cockpit
from ecoute.models import Consultation
from projects.models import Project
from tests.ecoute.factories import ConsultationFactory, RestitutionFactory

pytestmark = pytest.mark.django_db

COCKPIT = reverse("projects:dashboard")


def closed(days_ago: int, **kwargs) -> Consultation:
    """A consultation closed `days_ago` days ago, without restitution."""
    closed_on = timezone.now() - datetime.timedelta(days=days_ago)
    return ConsultationFactory(
        status=Consultation.Status.CLOSED,
        opens_at=closed_on - datetime.timedelta(days=20),
        closes_at=closed_on,
        **kwargs,
    )


def panel(user) -> dict:
    request = RequestFactory().get(COCKPIT)
    request.user = user
    return cockpit.portfolio_dashboard(request, Project.objects.visible_to(user))["restitutions"]


def restitution_url(consultation: Consultation) -> str:
    return reverse("ecoute:restitution-edit", kwargs={"pk": consultation.pk})


def test_the_overdue_restitutions_come_first_and_link_to_where_they_are_written(
    lab_staff, settings
):
    settings.ECOUTE_RESTITUTION_REMINDER_DAYS = 30
    due = closed(5, title="Close depuis peu")
    late = closed(45, title="Close depuis longtemps")
    RestitutionFactory(consultation=closed(60, title="Restituée"))
    ConsultationFactory(title="Ouverte")

    restitutions = panel(lab_staff)

    assert (restitutions["total"], restitutions["overdue"]) == (2, 1)
    assert [(r["title"], r["is_late"]) for r in restitutions["rows"]] == [
        ("Close depuis longtemps", True),
        ("Close depuis peu", False),
    ]
    assert [r["url"] for r in restitutions["rows"]] == [restitution_url(late), restitution_url(due)]
    assert restitutions["rows"][0]["days"] == 45
    assert restitutions["overdue_url"] == f"{reverse('ecoute:manage')}?restitution=overdue"


def test_a_correspondent_sees_only_the_restitutions_of_their_caf(correspondent_a, caf_a, caf_b):
    closed(45, title="La nôtre", caf=caf_a)
    closed(45, title="Celle d’une autre Caf", caf=caf_b)
    assert [r["title"] for r in panel(correspondent_a)["rows"]] == ["La nôtre"]


def test_a_directorate_member_is_led_to_the_consultation_she_may_read(directorate_member):
    late = closed(45)
    restitutions = panel(directorate_member)
    assert [r["url"] for r in restitutions["rows"]] == [late.get_absolute_url()]
    assert restitutions["due_url"] == ""  # she runs no consultation: no managers' list


def test_the_list_is_capped_and_costs_two_queries_whatever_its_size(
    lab_staff, django_assert_num_queries
):
    closed(45)
    with django_assert_num_queries(2):
        assert len(panel(lab_staff)["rows"]) == 1
    for _ in range(cockpit.SHOWN + 3):
        closed(45)
    with django_assert_num_queries(2):
        restitutions = panel(lab_staff)
    assert len(restitutions["rows"]) == cockpit.SHOWN
    assert restitutions["total"] == cockpit.SHOWN + 4


def test_the_cockpit_shows_an_overdue_restitution_with_its_link(client, lab_staff, settings):
    settings.ECOUTE_RESTITUTION_REMINDER_DAYS = 30
    late = closed(45, title="Accueil des familles monoparentales")
    client.force_login(lab_staff)
    html = client.get(COCKPIT).content.decode()
    assert "Restitutions dues aux participants" in html
    assert "Accueil des familles monoparentales" in html
    assert f'href="{restitution_url(late)}"' in html
    assert "Restitution en retard" in html
