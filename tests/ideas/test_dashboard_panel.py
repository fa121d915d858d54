"""Ideas by origin on the director's dashboard: the idea box's panel ("portfolio_dashboard"),
in the page's cached part under a fingerprint that covers it."""

import pytest
from django.urls import reverse

from ideas.models import Idea
from ideas.panels import ideas_by_source
from tests.ideas.factories import IdeaFactory
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("projects:dashboard")


def test_ideas_are_counted_by_origin_with_their_conversion_into_projects():
    IdeaFactory(source=Idea.Source.BOX, project=ProjectFactory())
    IdeaFactory(source=Idea.Source.BOX)
    IdeaFactory(source=Idea.Source.CONSULTATION)
    counted = ideas_by_source(Idea.objects.all())
    rows = {row["label"]: row for row in counted["rows"]}
    assert (counted["total"], counted["projects"], counted["rate"]) == (3, 1, 33.3)
    assert (rows[Idea.Source.BOX.label]["ideas"], rows[Idea.Source.BOX.label]["rate"]) == (2, 50.0)
    assert rows[Idea.Source.CHALLENGE.label]["rate"] is None  # none: no rate, not 0 %


def test_the_dashboard_shows_ideas_by_origin_and_a_new_idea_at_once_despite_its_cache(
    client, lab_staff
):
    IdeaFactory(source=Idea.Source.BOX)
    client.force_login(lab_staff)
    html = client.get(DASHBOARD).content.decode()
    assert "Idées par origine" in html
    assert "1 idée au total" in html
    IdeaFactory(source=Idea.Source.BOX)
    assert "2 idées au total" in client.get(DASHBOARD).content.decode()
