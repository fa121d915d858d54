"""The directory's table is cached, yet an edit shows at once and nobody sees links meant for
someone else (issue 12)."""

import pytest
from django.urls import reverse

from caflab.network.models import Caf

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("network:caf-list")


def dashboard(code: str) -> str:
    return reverse("network:caf-dashboard", kwargs={"code": code})


def test_a_renamed_caf_shows_at_once(client, agent_a, caf_a):
    client.force_login(agent_a)
    assert "Caf de l’Isère renommée" not in client.get(DIRECTORY).content.decode()
    caf_a.name = "Caf de l’Isère renommée"
    caf_a.save()
    assert "Caf de l’Isère renommée" in client.get(DIRECTORY).content.decode()


def test_the_cached_table_keeps_each_persona_s_dashboard_links(
    client, lab_staff, correspondent_a, agent_a
):
    client.force_login(lab_staff)
    html = client.get(DIRECTORY).content.decode()
    assert f'href="{dashboard("38")}"' in html
    assert f'href="{dashboard("69")}"' in html

    client.force_login(correspondent_a)
    html = client.get(DIRECTORY).content.decode()
    assert f'href="{dashboard("38")}"' in html
    assert f'href="{dashboard("69")}"' not in html

    client.force_login(agent_a)
    html = client.get(DIRECTORY).content.decode()
    assert f'href="{dashboard("38")}"' not in html


def test_the_region_filter_is_part_of_the_cache_key(client, agent_a):
    client.force_login(agent_a)
    everything = client.get(DIRECTORY).content.decode()
    region = Caf.objects.get(code="38").region.code
    filtered = client.get(DIRECTORY, {"region": region}).content.decode()
    assert "Gironde" in everything
    assert "Isère" in filtered
    assert "Gironde" not in filtered
    assert client.get(DIRECTORY, {"region": "n'existe pas"}).status_code == 200
