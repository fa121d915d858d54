"""The shell's pages: home per role, the public legal pages, the error pages."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from caflab.accounts.models import Role
from caflab.core import views
from tests.accounts.factories import UserFactory
from tests.conftest import PERSONAS

# Every test here reads the database (personas are resolved at run time by `persona`), so
# each is marked: pytest-django then runs it before the transactional tests flush the data.
pytestmark = pytest.mark.django_db


def get_as(client, user, url):
    if user is not None:
        client.force_login(user)
    return client.get(url)


# What each persona's home page must offer (link texts), and must not.
HOME_LINKS = {
    "lab_staff": (
        ["Portefeuille d’innovations", "Tableaux de bord du réseau", "Criées", "Évaluation"],
        ["Se connecter", "Mon compte"],
    ),
    "correspondent_a": (
        ["Tableau de bord de ma Caf", "Criées", "Portefeuille d’innovations"],
        ["Se connecter", "Tableaux de bord du réseau"],
    ),
    "agent_a": (
        ["Catalogue des initiatives", "Consultations", "Portefeuille d’innovations"],
        ["Se connecter", "Tableau de bord de ma Caf"],
    ),
    "agent_b": (
        ["Catalogue des initiatives", "Consultations", "Portefeuille d’innovations"],
        ["Se connecter", "Tableau de bord de ma Caf"],
    ),
    "citizen": (
        ["La Caf à votre écoute", "Mon compte"],
        ["Portefeuille", "Criées", "Évaluation", "Réseau"],
    ),
    "anonymous": (
        ["La Caf à votre écoute", "Se connecter"],
        ["Portefeuille", "Criées", "Évaluation", "Réseau", "Notifications"],
    ),
}


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_home_offers_each_role_its_entry_points(client, persona, request):
    name = request.node.callspec.params["persona"]
    response = get_as(client, persona, reverse("core:home"))
    assert response.status_code == 200
    html = response.content.decode()
    shown, hidden = HOME_LINKS[name]
    for text in shown:
        assert text in html, f"{name} should see {text!r}"
    for text in hidden:
        assert text not in html, f"{name} should not see {text!r}"


def test_home_links_the_correspondent_to_their_own_caf_dashboard(client, correspondent_a):
    response = get_as(client, correspondent_a, reverse("core:home"))
    url = reverse("network:caf-dashboard", kwargs={"code": correspondent_a.caf.code})
    assert f'href="{url}"' in response.content.decode()


def test_an_entry_point_without_a_page_says_it_is_coming_instead_of_linking():
    from django.template.loader import render_to_string

    from caflab.core.navigation import EntryPoint, url_or_none

    assert url_or_none("projects:not-built-yet") is None
    html = render_to_string(
        "components/entry_card.html", {"point": EntryPoint("Tri", "Examiner les idées", None)}
    )
    assert "Bientôt disponible" in html
    assert "<a " not in html


def test_an_agents_home_leads_to_the_idea_box(client, agent_a):
    html = get_as(client, agent_a, reverse("core:home")).content.decode()
    assert f'href="{reverse("ideas:idea-list")}"' in html


def test_home_of_a_directorate_member_offers_creativity_sessions(client, db):
    from caflab.network.models import Directorate

    directorate = Directorate.objects.first() or Directorate.objects.create(
        acronym="DPFAS", name="Direction des politiques familiale et sociale"
    )
    member = UserFactory(role=Role.DIRECTORATE, caf=None, directorate=directorate)
    html = get_as(client, member, reverse("core:home")).content.decode()
    assert "Demander une séance de créativité" in html
    assert "Portefeuille d’innovations" in html


def test_staff_accounts_get_the_administration_entry(client, lab_staff):
    lab_staff.is_staff = True
    lab_staff.save(update_fields=["is_staff"])
    html = get_as(client, lab_staff, reverse("core:home")).content.decode()
    assert f'href="{reverse("admin:index")}"' in html


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_header_has_the_notification_centre_link_for_signed_in_users(client, persona):
    html = get_as(client, persona, reverse("core:home")).content.decode()
    link = f'href="{reverse("notifications:list")}"'
    assert (link in html) is (persona is not None)


def test_unread_count_is_spoken_not_only_shown(client, agent_a):
    from caflab.notifications.services import notify

    notify(recipients=[agent_a], kind="test", title="Un", url="/")
    notify(recipients=[agent_a], kind="test", title="Deux", url="/")
    notify(recipients=[agent_a], kind="test", title="Trois", url="/")
    html = get_as(client, agent_a, reverse("core:home")).content.decode()
    assert '<span class="visually-hidden">3 non lues</span>' in html


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
def test_every_page_has_the_skip_link_landmarks_and_french_language(client, persona):
    html = get_as(client, persona, reverse("core:home")).content.decode()
    assert '<html lang="fr">' in html
    assert '<a class="skip-link" href="#contenu">Aller au contenu</a>' in html
    assert '<main id="contenu" class="flex-grow-1" tabindex="-1">' in html
    assert 'aria-label="Navigation principale"' in html
    assert "<footer" in html
    assert "<title>Accueil – CafLab</title>" in html


def test_current_section_is_marked_in_the_navigation(client, agent_a):
    html = get_as(client, agent_a, reverse("criees:index")).content.decode()
    assert f'href="{reverse("criees:index")}" aria-current="page"' in html


@pytest.mark.parametrize("name", ["core:accessibility", "core:legal", "core:privacy"])
def test_legal_pages_are_public(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert "<h1>" in response.content.decode()


def test_accessibility_statement_has_the_rgaa_sections(client, db):
    html = client.get(reverse("core:accessibility")).content.decode()
    for section in (
        "État de conformité",
        "partiellement conforme",
        "Contenus non accessibles",
        "Établissement de cette déclaration",
        "24 novembre 2026",
        "axe-core",
        "Voies de recours",
        "Défenseur des droits",
        "Retour d’information et contact",
    ):
        assert section in html


def test_privacy_notice_lists_only_the_two_necessary_cookies(client, db):
    html = client.get(reverse("core:privacy")).content.decode()
    assert "sessionid" in html
    assert "csrftoken" in html
    assert "Délégué à la protection des données" in html


def test_footer_links_the_legal_pages(client, db):
    html = client.get(reverse("core:home")).content.decode()
    assert "Accessibilité\u00a0: partiellement conforme" in html
    for name in ("core:accessibility", "core:legal", "core:privacy"):
        assert f'href="{reverse(name)}"' in html


def test_unknown_page_answers_404_in_the_site_template(client, db):
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page introuvable" in html
    assert "Aller au contenu" in html
    assert 'aria-label="Navigation principale"' in html


def test_refused_page_answers_403_in_the_site_template(client, citizen):
    response = get_as(client, citizen, reverse("criees:index"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "Accès refusé" in html
    assert "Aller au contenu" in html


def test_server_error_page_renders_without_request_context(db):
    request = RequestFactory().get("/")  # no user, no session: the handler must not need them
    response = views.server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert "Erreur du serveur" in html
    assert '<html lang="fr">' in html


def test_server_error_page_needs_no_database(django_assert_num_queries, db):
    with django_assert_num_queries(0):
        views.server_error(RequestFactory().get("/"))


def test_messages_are_announced_with_the_right_role():
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message
    from django.template.loader import render_to_string

    html = render_to_string(
        "includes/messages.html",
        {
            "messages": [
                Message(constants.SUCCESS, "Idée envoyée."),
                Message(constants.ERROR, "Le formulaire contient des erreurs."),
            ]
        },
    )
    assert 'class="alert alert-success alert-dismissible" role="status"' in html
    assert 'class="alert alert-danger alert-dismissible" role="alert"' in html
