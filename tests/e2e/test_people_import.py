"""An administrator imports the network's people: a simulation first (nothing written), then
the real import, the report on the page each time. Zero axe violations."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from caflab.accounts.models import User
from tests.accounts.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

FILE = (
    "e-mail;prénom;nom;rôle;Caf;direction;organisation partenaire\n"
    "camille.martin@caf38.example;Camille;Martin;Agent de Caf;38;;\n"
    "lucas.bernard@caf69.example;Lucas;Bernard;Correspondant innovation;69;;\n"
    "inconnu@caf.example;Paul;Inconnu;Agent de Caf;999;;\n"
)


def test_an_administrator_simulates_then_imports_a_people_file(
    page, live_server, login_as, assert_accessible, tmp_path
):
    admin = UserFactory(email="admin@cnaf.example", admin=True)
    path = tmp_path / "reseau.csv"
    path.write_text(FILE, encoding="utf-8")
    login_as(page, live_server, admin)
    page.goto(live_server.url + reverse("accounts:import"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Importer des comptes")
    assert_accessible(page)

    simulation = page.get_by_label(
        "Simulation\u00a0: montrer ce qui changerait, sans rien enregistrer"
    )
    expect(simulation).to_be_checked()
    page.get_by_label("Fichier des personnes").set_input_files(str(path))
    page.get_by_role("button", name="Importer").click()
    expect(page.get_by_role("heading", name="Simulation de l’import")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("2 créé(s)")
    expect(page.get_by_role("table")).to_contain_text("Caf «\u00a0999\u00a0» inconnue")
    assert not User.objects.filter(email="camille.martin@caf38.example").exists()
    assert_accessible(page)

    page.get_by_label("Fichier des personnes").set_input_files(str(path))
    page.get_by_label(
        "Simulation\u00a0: montrer ce qui changerait, sans rien enregistrer"
    ).uncheck()
    page.get_by_role("button", name="Importer").click()
    expect(page.get_by_role("heading", name="Compte rendu de l’import")).to_be_visible()
    first_row = page.get_by_role("table").locator("tbody tr").first
    expect(first_row).to_contain_text("Refusé")  # refused lines come first
    expect(page.get_by_role("table")).to_contain_text("camille.martin@caf38.example")
    assert User.objects.filter(email="camille.martin@caf38.example").exists()
    assert_accessible(page)
