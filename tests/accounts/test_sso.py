"""Single sign-on against a real OpenID Connect provider started on loopback
(tests/oidc_provider.py): Django's test client plays the browser on our side, `requests` on
the provider's side. Nothing of our client code nor of authlib is mocked."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core import mail
from django.urls import reverse

from caflab.accounts.models import AccountChange, Role, SsoIdentity, User
from caflab.network.models import CafSiret
from tests.accounts.factories import UserFactory
from tests.oidc_fixtures import TEST_CLIENT_ID, TEST_CLIENT_SECRET
from tests.queries import assert_flat_query_count

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"
SIRET_ISERE = "53448187300017"


@pytest.fixture
def sso(settings, oidc_provider, caf_a):
    """CafLab pointed at the test provider for agents (ProConnect-shaped claims) and for
    citizens (the same provider plays FranceConnect); Caf A owns one SIRET."""
    settings.SITE_URL = SITE
    config = {
        "discovery_url": oidc_provider.discovery_url,
        "client_id": TEST_CLIENT_ID,
        "client_secret": TEST_CLIENT_SECRET,
        "acr_values": "eidas1",
    }
    settings.SSO_PROVIDERS = {
        "agents": {
            **config,
            "label": "ProConnect",
            "scopes": "openid email given_name usual_name siret organizational_unit uid",
        },
        "citizens": {
            **config,
            "label": "FranceConnect",
            "scopes": "openid email given_name family_name",
        },
    }
    CafSiret.objects.create(caf=caf_a, siret=SIRET_ISERE, label="Siège")
    return oidc_provider


def agent_at_provider(provider, email="marie.curie@caf38.example", sub="sub-marie", **claims):
    claims = {
        "given_name": "Marie",
        "usual_name": "Curie",
        "siret": SIRET_ISERE,
        "organizational_unit": "Service action sociale",
        "uid": "mcurie",
        **claims,
    }
    return provider.add_user(email, "mot-de-passe-fournisseur", sub, **claims)


def sign_in(client, provider, email, *, name="agents", tamper_state=False, follow=False):
    """Walk the flow as a browser would: CafLab → provider (signed in there) → CafLab."""
    start = client.get(reverse("accounts:sso-login", kwargs={"provider": name}))
    assert start.status_code == 302, start
    authorize_url = start["Location"]
    query = parse_qs(urlsplit(authorize_url).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["acr_values"] == ["eidas1"]
    assert query["nonce"][0]
    assert query["state"][0]
    provider.auto_login(email)
    at_provider = requests.get(authorize_url, allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302, at_provider.text
    back = urlsplit(at_provider.headers["Location"])
    assert f"{back.scheme}://{back.netloc}" == SITE
    params = {key: values[0] for key, values in parse_qs(back.query).items()}
    if tamper_state:
        params["state"] = "etat-falsifie"
    return client.get(back.path, params, follow=follow)


def signed_in_user(client):
    from django.contrib.auth import get_user

    user = get_user(client)
    return user if user.is_authenticated else None


# --- agents ----------------------------------------------------------------------------------


def test_an_agent_whose_siret_is_a_cafs_is_created_as_agent_of_that_caf(client, sso, caf_a):
    agent_at_provider(sso)

    response = sign_in(client, sso, "marie.curie@caf38.example")

    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    user = User.objects.get(email="marie.curie@caf38.example")
    assert (user.role, user.caf, user.first_name, user.last_name) == (
        Role.AGENT,
        caf_a,
        "Marie",
        "Curie",
    )
    assert not user.has_usable_password()
    identity = user.sso_identities.get()
    assert (identity.provider, identity.subject, identity.siret) == (
        "agents",
        "sub-marie",
        SIRET_ISERE,
    )
    assert signed_in_user(client) == user
    change = user.account_changes.get()
    assert (change.kind, change.source) == (AccountChange.Kind.CREATED, AccountChange.Source.SSO)


def test_the_account_is_found_by_subject_even_when_the_address_changed(client, sso):
    agent_at_provider(sso)
    sign_in(client, sso, "marie.curie@caf38.example")
    client.logout()
    sso.add_user("m.curie@caf38.example", "x", "sub-marie", siret=SIRET_ISERE)

    sign_in(client, sso, "m.curie@caf38.example")

    assert User.objects.count() == 1
    assert signed_in_user(client).email == "marie.curie@caf38.example"


def test_an_existing_account_is_linked_by_verified_email_and_keeps_its_role(
    client, sso, correspondent_a
):
    agent_at_provider(sso, email=correspondent_a.email, sub="sub-correspondant")

    sign_in(client, sso, correspondent_a.email)

    correspondent_a.refresh_from_db()
    assert correspondent_a.role == Role.CORRESPONDENT
    assert correspondent_a.sso_identities.get().subject == "sub-correspondant"
    assert signed_in_user(client) == correspondent_a


def test_an_unknown_organisation_makes_a_pending_account_that_sees_nothing_internal(client, sso):
    agent_at_provider(sso, siret="11122233300044", organizational_unit="DRFIP Isère")

    response = sign_in(client, sso, "marie.curie@caf38.example", follow=True)

    user = User.objects.get(email="marie.curie@caf38.example")
    assert (user.role, user.caf) == (Role.PENDING, None)
    assert response.redirect_chain[-1][0] == reverse("accounts:pending")
    assert "Votre compte attend l’attribution de votre Caf" in response.content.decode()
    assert "DRFIP Isère" in response.content.decode()
    assert client.get(reverse("projects:index")).status_code == 403


def test_a_pending_account_is_placed_as_agent_once_its_siret_is_known(client, sso, caf_b):
    agent_at_provider(sso, siret="11122233300044")
    sign_in(client, sso, "marie.curie@caf38.example")
    client.logout()
    CafSiret.objects.create(caf=caf_b, siret="11122233300044")

    sign_in(client, sso, "marie.curie@caf38.example")

    user = User.objects.get(email="marie.curie@caf38.example")
    assert (user.role, user.caf) == (Role.AGENT, caf_b)
    assert user.account_changes.filter(kind=AccountChange.Kind.ASSIGNED).exists()


def test_a_deactivated_account_cannot_sign_in_through_the_provider(client, sso, agent_a):
    agent_a.is_active = False
    agent_a.save()
    agent_at_provider(sso, email=agent_a.email)

    response = sign_in(client, sso, agent_a.email)

    assert response.status_code == 403
    assert "Ce compte est désactivé" in response.content.decode()
    assert signed_in_user(client) is None


# --- refusals: each in French, nothing created -----------------------------------------------


def _refused(response, text):
    assert response.status_code in (400, 403)
    assert text in response.content.decode()
    assert "Rien n’a été créé" in response.content.decode()


def test_a_tampered_state_is_refused(client, sso):
    agent_at_provider(sso)

    response = sign_in(client, sso, "marie.curie@caf38.example", tamper_state=True)

    _refused(response, "Cette demande de connexion n’est pas valide")
    assert not User.objects.filter(email="marie.curie@caf38.example").exists()
    assert signed_in_user(client) is None


@pytest.mark.parametrize("fault", ["wrong_nonce", "expired", "wrong_signature", "wrong_audience"])
def test_an_id_token_that_does_not_check_out_is_refused(client, sso, fault):
    agent_at_provider(sso)
    sso.fault = fault

    response = sign_in(client, sso, "marie.curie@caf38.example")

    _refused(response, "n’a pas pu être vérifiée")
    assert not User.objects.exists()
    assert not SsoIdentity.objects.exists()
    assert signed_in_user(client) is None


def test_an_unverified_email_is_refused(client, sso, agent_a):
    agent_at_provider(sso, email=agent_a.email, email_verified=False)

    response = sign_in(client, sso, agent_a.email)

    _refused(response, "n’est pas vérifiée")
    assert not SsoIdentity.objects.exists()
    assert signed_in_user(client) is None


def test_without_a_configured_provider_there_is_no_button_and_no_route(client, settings):
    settings.SSO_PROVIDERS = {
        "agents": {"discovery_url": "", "client_id": "", "label": "ProConnect"},
        "citizens": {"discovery_url": "", "client_id": "", "label": "FranceConnect"},
    }

    assert "ProConnect" not in client.get(reverse("accounts:login")).content.decode()
    assert client.get(reverse("accounts:sso-login", kwargs={"provider": "agents"})).status_code == (
        404
    )


def test_the_login_page_offers_the_configured_providers(client, sso):
    page = client.get(reverse("accounts:login")).content.decode()

    assert "Se connecter avec ProConnect" in page
    assert "Se connecter avec FranceConnect" in page


# --- citizens --------------------------------------------------------------------------------


def test_a_citizen_is_linked_to_their_account_by_verified_email(client, sso, citizen):
    sso.add_user(citizen.email, "x", "fc-sub-1", given_name="Lou", family_name="Martin")

    sign_in(client, sso, citizen.email, name="citizens")

    assert signed_in_user(client) == citizen
    assert citizen.sso_identities.get().provider == "citizens"


def test_a_new_citizen_gets_a_confirmed_citizen_account(client, sso):
    sso.add_user("lou@example.org", "x", "fc-sub-2", given_name="Lou", family_name="Martin")

    sign_in(client, sso, "lou@example.org", name="citizens")

    user = User.objects.get(email="lou@example.org")
    assert (user.role, user.is_active, user.last_name) == (Role.CITIZEN, True, "Martin")
    assert user.email_verified_at is not None


def test_the_citizens_provider_never_opens_a_network_account(client, sso, agent_a):
    sso.add_user(agent_a.email, "x", "fc-sub-3")

    response = sign_in(client, sso, agent_a.email, name="citizens")

    _refused(response, "compte professionnel")
    assert signed_in_user(client) is None


# --- logout at the provider ------------------------------------------------------------------


def test_logging_out_also_logs_out_at_the_provider(client, sso):
    agent_at_provider(sso)
    sign_in(client, sso, "marie.curie@caf38.example")

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    end_session = urlsplit(response["Location"])
    query = parse_qs(end_session.query)
    assert response["Location"].startswith(sso.issuer)
    assert query["id_token_hint"][0]
    assert query["post_logout_redirect_uri"][0].startswith(SITE)
    assert signed_in_user(client) is None
    back = requests.get(response["Location"], allow_redirects=False, timeout=10)
    assert back.status_code == 302
    returned = urlsplit(back.headers["Location"])
    final = client.get(returned.path, {k: v[0] for k, v in parse_qs(returned.query).items()})
    assert final.status_code == 302
    assert "chez le fournisseur" in client.get(final["Location"]).content.decode()


# --- SSO only for the network ----------------------------------------------------------------


def test_with_sso_only_network_members_cannot_use_a_password(
    client, sso, settings, agent_a, password
):
    settings.SSO_ONLY_FOR_NETWORK = True

    response = client.post(
        reverse("accounts:login"),
        {"username": agent_a.email, "password": password},
    )

    assert response.status_code == 200
    assert signed_in_user(client) is None
    assert "Les agents du réseau se connectent avec ProConnect" in response.content.decode()


def test_with_sso_only_citizens_still_use_their_password(client, sso, settings, citizen, password):
    settings.SSO_ONLY_FOR_NETWORK = True

    response = client.post(
        reverse("accounts:login"),
        {"username": citizen.email, "password": password},
    )

    assert response.status_code == 302
    assert signed_in_user(client) == citizen


# --- placing pending accounts ----------------------------------------------------------------


@pytest.fixture
def pending_person(db):
    user = UserFactory(email="en.attente@exemple.gouv.fr", role=Role.PENDING, caf=None)
    SsoIdentity.objects.create(
        user=user, provider="agents", subject="p-1", siret="11122233300044", organisation="DDETS"
    )
    return user


@pytest.mark.parametrize(
    ("persona", "status"),
    [("lab_staff", 200), ("correspondent_a", 200), ("agent_a", 403), ("citizen", 403)],
    indirect=["persona"],
)
def test_who_sees_the_pending_accounts(client, persona, status, pending_person):
    client.force_login(persona)

    response = client.get(reverse("accounts:pending-list"))

    assert response.status_code == status
    if status == 200:
        assert pending_person.email in response.content.decode()


def test_a_correspondent_places_a_pending_person_in_their_own_caf_and_they_are_told(
    client, correspondent_a, caf_a, pending_person, django_capture_on_commit_callbacks
):
    client.force_login(correspondent_a)
    url = reverse("accounts:pending-assign", kwargs={"pk": pending_person.pk})

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"caf": caf_a.pk, "role": Role.AGENT})

    assert response.status_code == 302
    pending_person.refresh_from_db()
    assert (pending_person.role, pending_person.caf) == (Role.AGENT, caf_a)
    change = pending_person.account_changes.get()
    assert (change.kind, change.by) == (AccountChange.Kind.ASSIGNED, correspondent_a)
    assert [m.to for m in mail.outbox] == [[pending_person.email]]
    assert "Votre compte CafLab est prêt" in mail.outbox[0].subject


def test_a_correspondent_cannot_place_anyone_in_another_caf_nor_above_agent(
    client, correspondent_a, caf_b, pending_person
):
    client.force_login(correspondent_a)
    url = reverse("accounts:pending-assign", kwargs={"pk": pending_person.pk})

    client.post(url, {"caf": caf_b.pk, "role": Role.AGENT})
    client.post(url, {"caf": correspondent_a.caf_id, "role": Role.CORRESPONDENT})

    pending_person.refresh_from_db()
    assert pending_person.role == Role.PENDING


def test_the_lab_places_a_person_in_any_caf_and_may_remember_the_siret(
    client, lab_staff, caf_b, pending_person
):
    client.force_login(lab_staff)
    url = reverse("accounts:pending-assign", kwargs={"pk": pending_person.pk})

    client.post(url, {"caf": caf_b.pk, "role": Role.CORRESPONDENT, "remember_siret": "on"})

    pending_person.refresh_from_db()
    assert (pending_person.role, pending_person.caf) == (Role.CORRESPONDENT, caf_b)
    assert CafSiret.objects.get(siret="11122233300044").caf == caf_b


def test_placing_twice_says_already_done(client, lab_staff, caf_a, caf_b, pending_person):
    client.force_login(lab_staff)
    url = reverse("accounts:pending-assign", kwargs={"pk": pending_person.pk})
    client.post(url, {"caf": caf_a.pk, "role": Role.AGENT})

    response = client.post(url, {"caf": caf_b.pk, "role": Role.AGENT}, follow=True)

    pending_person.refresh_from_db()
    assert pending_person.caf == caf_a
    assert "déjà été attribué" in response.content.decode()


def test_the_pending_list_costs_a_fixed_number_of_queries(client, lab_staff):
    client.force_login(lab_staff)

    def make(n):
        for _ in range(n):
            user = UserFactory(role=Role.PENDING, caf=None)
            SsoIdentity.objects.create(user=user, provider="agents", subject=f"s-{user.pk}")

    assert_flat_query_count(client, reverse("accounts:pending-list"), make, expected=6)


def test_with_sso_only_no_password_backend_lets_a_network_member_in(
    rf, sso, settings, agent_a, password
):
    """The admin's login and any other form go through authenticate(): refused there too."""
    from django.contrib.auth import authenticate

    assert authenticate(rf.post("/"), username=agent_a.email, password=password) == agent_a
    settings.SSO_ONLY_FOR_NETWORK = True
    assert authenticate(rf.post("/"), username=agent_a.email, password=password) is None


def test_sso_only_without_a_configured_provider_keeps_passwords(
    client, settings, agent_a, password
):
    settings.SSO_ONLY_FOR_NETWORK = True
    settings.SSO_PROVIDERS = {
        "agents": {"discovery_url": "", "client_id": "", "label": "ProConnect"},
        "citizens": {"discovery_url": "", "client_id": "", "label": "FranceConnect"},
    }

    response = client.post(
        reverse("accounts:login"), {"username": agent_a.email, "password": password}
    )

    assert response.status_code == 302
    assert signed_in_user(client) == agent_a
