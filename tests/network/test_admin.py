"""The lab manages the reference data in the Django admin."""

import pytest
from django.urls import reverse

from caflab.network.models import Caf, CogAxis
from tests.accounts.factories import UserFactory
from tests.network.factories import PartnerFactory

pytestmark = pytest.mark.django_db

MODELS = ("region", "caf", "directorate", "theme", "programme", "cogaxis", "cogambition", "partner")


@pytest.fixture
def admin_client_(client):
    client.force_login(UserFactory(admin=True))
    return client


@pytest.mark.parametrize("model", MODELS)
def test_superuser_opens_the_changelist_of_every_network_model(admin_client_, model):
    PartnerFactory(caf=Caf.objects.get(code="38"))
    response = admin_client_.get(reverse(f"admin:network_{model}_changelist"))
    assert response.status_code == 200


def test_superuser_opens_a_caf_and_a_cog_axis_with_its_ambitions(admin_client_):
    caf = Caf.objects.get(code="2A")
    assert admin_client_.get(reverse("admin:network_caf_change", args=[caf.pk])).status_code == 200
    axis = CogAxis.objects.first()
    response = admin_client_.get(reverse("admin:network_cogaxis_change", args=[axis.pk]))
    assert response.status_code == 200
    assert "ambitions-TOTAL_FORMS" in response.content.decode()


def test_caf_search_serves_autocomplete_fields(admin_client_):
    response = admin_client_.get(
        reverse("admin:autocomplete"),
        {"term": "Isère", "app_label": "network", "model_name": "partner", "field_name": "caf"},
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Caf de l'Isère"]


def test_a_caf_cannot_be_deleted_from_the_admin(admin_client_):
    caf = Caf.objects.get(code="38")
    response = admin_client_.get(reverse("admin:network_caf_delete", args=[caf.pk]))
    assert response.status_code == 403
