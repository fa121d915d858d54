"""The "Exploitation" page walked in a real browser: an administrator reaches it from the
Django admin's index, reads the platform's state in words, with zero axe violations."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from caflab.accounts.models import Role
from caflab.core.tasks import record_heartbeat
from tests.accounts.factories import UserFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_administrator_opens_the_operations_page_from_the_admin(
    page, live_server, login_as, assert_accessible, settings
):
    settings.CELERY_BROKER_URL = ""
    record_heartbeat.delay()
    admin = UserFactory(email="admin@cnaf.example", role=Role.ADMIN, caf=None, is_staff=True)
    login_as(page, live_server, admin)

    page.goto(live_server.url + reverse("admin:index"))
    page.get_by_role("link", name="État de la plateforme").click()
    expect(page).to_have_url(live_server.url + reverse("core:operations"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Exploitation")
    components = page.get_by_role("table", name="État des composants")
    expect(components.get_by_role("row", name="Base de données Opérationnel")).to_be_visible()
    expect(components.get_by_role("row", name="Cache Opérationnel")).to_be_visible()
    expect(
        page.get_by_text("Non configuré (tâches exécutées dans le serveur web)").first
    ).to_be_visible()
    backlog = page.get_by_role("table", name="E-mails sortants et travaux en arrière-plan")
    expect(backlog.get_by_role("rowheader", name="E-mails sortants")).to_be_visible()
    assert_accessible(page)


def test_a_network_member_is_refused_the_operations_page(page, live_server, login_as, agent_a):
    login_as(page, live_server, agent_a)
    response = page.goto(live_server.url + reverse("core:operations"))
    assert response is not None
    assert response.status == 403
