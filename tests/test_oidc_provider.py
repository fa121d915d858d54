"""The test OpenID Connect provider behaves as a real one: plain HTTP with `requests`, tokens
checked with joserfc (the JOSE library authlib itself uses). No database."""

import base64
import hashlib
import secrets
import socket
import subprocess
import sys
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from joserfc import jwt
from joserfc.errors import BadSignatureError, ExpiredTokenError, InvalidClaimError
from joserfc.jwk import KeySet

from tests.oidc_fixtures import (  # noqa: F401 -- registers the `oidc_provider` fixture
    TEST_CLIENT_ID,
    TEST_CLIENT_SECRET,
    oidc_provider_fixture,
)
from tests.oidc_provider import OidcProvider

REDIRECT_URI = "http://127.0.0.1:8123/oidc/callback/"
LOGOUT_URI = "http://127.0.0.1:8123/"
SCOPE = "openid email given_name usual_name siret organizational_unit uid"
AGENT = {
    "email": "agent@caf38.example",
    "password": "mot-de-passe-agent",
    "sub": "sub-agent-38",
    "given_name": "Camille",
    "usual_name": "Martin",
    "siret": "53466780500017",
    "organizational_unit": "Caf de l'Isère",
    "uid": "cmartin",
    "email_verified": True,
}


@pytest.fixture
def provider(oidc_provider):
    data = dict(AGENT)
    oidc_provider.add_user(data.pop("email"), data.pop("password"), data.pop("sub"), **data)
    return oidc_provider


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize_params(**overrides) -> dict:
    params = {
        "response_type": "code",
        "client_id": TEST_CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "scope": SCOPE,
        "state": "etat-123",
        "nonce": "nonce-456",
    }
    params.update(overrides)
    return {key: value for key, value in params.items() if value is not None}


def query_of(location: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def get_code(provider: OidcProvider, challenge: str, **overrides) -> str:
    provider.auto_login(AGENT["email"])
    response = requests.get(
        f"{provider.issuer}/authorize",
        params=authorize_params(
            code_challenge=challenge, code_challenge_method="S256", **overrides
        ),
        allow_redirects=False,
        timeout=5,
    )
    assert response.status_code == 302, response.text
    query = query_of(response.headers["Location"])
    assert query["state"] == overrides.get("state", "etat-123")
    return query["code"]


def exchange(provider: OidcProvider, code: str, verifier: str | None, **data) -> requests.Response:
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}
    if verifier is not None:
        form["code_verifier"] = verifier
    form.update(data)
    auth = None if "client_secret" in form else (TEST_CLIENT_ID, TEST_CLIENT_SECRET)
    return requests.post(f"{provider.issuer}/token", data=form, auth=auth, timeout=5)


def tokens(provider: OidcProvider, **overrides) -> dict:
    verifier, challenge = pkce_pair()
    response = exchange(provider, get_code(provider, challenge, **overrides), verifier)
    assert response.status_code == 200, response.text
    return response.json()


def published_keys(provider: OidcProvider) -> KeySet:
    discovery = requests.get(provider.discovery_url, timeout=5).json()
    return KeySet.import_key_set(requests.get(discovery["jwks_uri"], timeout=5).json())


def verified_claims(provider: OidcProvider, token: str) -> dict:
    """Signature checked with the published JWKS, then iss, aud and exp."""
    decoded = jwt.decode(token, published_keys(provider), algorithms=["RS256"])
    registry = jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": provider.issuer},
        aud={"essential": True, "value": TEST_CLIENT_ID},
        exp={"essential": True},
        iat={"essential": True},
        sub={"essential": True},
    )
    registry.validate(decoded.claims)
    return decoded.claims


# --- Discovery and keys ------------------------------------------------------------------


def test_discovery_document_is_complete(provider):
    response = requests.get(provider.discovery_url, timeout=5)
    assert response.status_code == 200
    doc = response.json()
    issuer = provider.issuer
    assert issuer.startswith("http://127.0.0.1:")
    assert doc["issuer"] == issuer
    assert doc["authorization_endpoint"] == f"{issuer}/authorize"
    assert doc["token_endpoint"] == f"{issuer}/token"
    assert doc["userinfo_endpoint"] == f"{issuer}/userinfo"
    assert doc["jwks_uri"] == f"{issuer}/jwks"
    assert doc["end_session_endpoint"] == f"{issuer}/logout"
    assert set(SCOPE.split()) <= set(doc["scopes_supported"])
    assert doc["response_types_supported"] == ["code"]
    assert doc["subject_types_supported"] == ["public"]
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]
    assert doc["userinfo_signing_alg_values_supported"] == ["RS256"]
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert set(doc["token_endpoint_auth_methods_supported"]) == {
        "client_secret_post",
        "client_secret_basic",
    }


def test_jwks_publishes_only_the_public_rsa_key(provider):
    keys = requests.get(f"{provider.issuer}/jwks", timeout=5).json()["keys"]
    assert len(keys) == 1
    assert keys[0]["kty"] == "RSA"
    assert keys[0]["kid"]
    assert keys[0]["alg"] == "RS256"
    assert "d" not in keys[0]


# --- Authorization code flow -------------------------------------------------------------


def test_id_token_verifies_with_jwks_and_carries_the_protocol_claims(provider):
    before = int(time.time())
    result = tokens(provider)
    assert result["token_type"].lower() == "bearer"
    assert result["access_token"]
    header = jwt.decode(result["id_token"], published_keys(provider), algorithms=["RS256"]).header
    assert header["alg"] == "RS256"
    assert header["kid"] == provider.jwks["keys"][0]["kid"]
    claims = verified_claims(provider, result["id_token"])
    assert claims["sub"] == AGENT["sub"]
    assert claims["nonce"] == "nonce-456"
    assert claims["aud"] == TEST_CLIENT_ID
    assert before <= claims["iat"] <= claims["exp"]
    assert claims["auth_time"] >= before
    assert "acr" not in claims


def test_acr_is_in_id_token_when_asked(provider):
    claims = verified_claims(provider, tokens(provider, acr_values="eidas1")["id_token"])
    assert claims["acr"] == "eidas1"


def test_acr_through_the_claims_parameter(provider):
    asked = '{"id_token": {"acr": {"essential": true, "values": ["eidas1"]}}}'
    claims = verified_claims(provider, tokens(provider, claims=asked)["id_token"])
    assert claims["acr"] == "eidas1"


def test_nonce_is_echoed(provider):
    claims = verified_claims(provider, tokens(provider, nonce="un-nonce-unique")["id_token"])
    assert claims["nonce"] == "un-nonce-unique"


def test_nonce_is_required(provider):
    _, challenge = pkce_pair()
    provider.auto_login(AGENT["email"])
    response = requests.get(
        f"{provider.issuer}/authorize",
        params=authorize_params(nonce=None, code_challenge=challenge, code_challenge_method="S256"),
        allow_redirects=False,
        timeout=5,
    )
    assert response.status_code == 302
    query = query_of(response.headers["Location"])
    assert query["error"] == "invalid_request"
    assert query["state"] == "etat-123"


def test_client_secret_post_is_accepted(provider):
    verifier, challenge = pkce_pair()
    code = get_code(provider, challenge)
    response = exchange(
        provider, code, verifier, client_id=TEST_CLIENT_ID, client_secret=TEST_CLIENT_SECRET
    )
    assert response.status_code == 200, response.text
    assert "id_token" in response.json()


def test_wrong_client_secret_is_refused(provider):
    verifier, challenge = pkce_pair()
    code = get_code(provider, challenge)
    response = exchange(
        provider, code, verifier, client_id=TEST_CLIENT_ID, client_secret="pas-le-bon"
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_code_is_single_use(provider):
    verifier, challenge = pkce_pair()
    code = get_code(provider, challenge)
    assert exchange(provider, code, verifier).status_code == 200
    second = exchange(provider, code, verifier)
    assert second.status_code == 400
    assert second.json()["error"] == "invalid_grant"


def test_redirect_uri_must_match_at_token_endpoint(provider):
    verifier, challenge = pkce_pair()
    code = get_code(provider, challenge)
    response = exchange(provider, code, verifier, redirect_uri="http://127.0.0.1:8123/autre/")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


# --- PKCE ----------------------------------------------------------------------------------


def test_authorization_without_code_challenge_is_refused(provider):
    provider.auto_login(AGENT["email"])
    response = requests.get(
        f"{provider.issuer}/authorize",
        params=authorize_params(),
        allow_redirects=False,
        timeout=5,
    )
    assert response.status_code == 302
    query = query_of(response.headers["Location"])
    assert query["error"] == "invalid_request"
    assert "code" not in query


def test_plain_code_challenge_method_is_refused(provider):
    provider.auto_login(AGENT["email"])
    verifier, _ = pkce_pair()
    response = requests.get(
        f"{provider.issuer}/authorize",
        params=authorize_params(code_challenge=verifier, code_challenge_method="plain"),
        allow_redirects=False,
        timeout=5,
    )
    assert query_of(response.headers["Location"])["error"] == "invalid_request"


def test_token_without_code_verifier_is_refused(provider):
    _, challenge = pkce_pair()
    response = exchange(provider, get_code(provider, challenge), verifier=None)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_wrong_code_verifier_is_refused(provider):
    _, challenge = pkce_pair()
    other_verifier, _ = pkce_pair()
    response = exchange(provider, get_code(provider, challenge), other_verifier)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


# --- Userinfo ------------------------------------------------------------------------------


def test_signed_userinfo_verifies_with_jwks(provider):
    access_token = tokens(provider, scope="openid email siret")["access_token"]
    response = requests.get(
        f"{provider.issuer}/userinfo",
        headers={"Authorization": f"Bearer {access_token}"},
        timeout=5,
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/jwt")
    claims = verified_claims(provider, response.text)
    assert claims["sub"] == AGENT["sub"]
    assert claims["email"] == AGENT["email"]
    assert claims["email_verified"] is True
    assert claims["siret"] == AGENT["siret"]
    # Only the claims of the granted scopes.
    assert "given_name" not in claims
    assert "uid" not in claims


def test_userinfo_gives_every_proconnect_claim_of_the_scopes(provider):
    access_token = tokens(provider)["access_token"]
    response = requests.post(
        f"{provider.issuer}/userinfo",
        headers={"Authorization": f"Bearer {access_token}"},
        timeout=5,
    )
    claims = verified_claims(provider, response.text)
    for name in ("email", "given_name", "usual_name", "siret", "organizational_unit", "uid"):
        assert claims[name] == AGENT[name]


def test_json_userinfo_when_not_signed():
    with OidcProvider() as provider:
        provider.add_client(TEST_CLIENT_ID, TEST_CLIENT_SECRET, [REDIRECT_URI])
        provider.add_user(
            "citoyen@example.org", "mdp", "fc-sub-1", given_name="Dominique", family_name="Petit"
        )
        verifier, challenge = pkce_pair()
        provider.auto_login("citoyen@example.org")
        location = requests.get(
            f"{provider.issuer}/authorize",
            params=authorize_params(
                scope="openid given_name family_name email",
                code_challenge=challenge,
                code_challenge_method="S256",
            ),
            allow_redirects=False,
            timeout=5,
        ).headers["Location"]
        result = exchange(provider, query_of(location)["code"], verifier).json()
        response = requests.get(
            f"{provider.issuer}/userinfo",
            headers={"Authorization": f"Bearer {result['access_token']}"},
            timeout=5,
        )
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json() == {
        "sub": "fc-sub-1",
        "given_name": "Dominique",
        "family_name": "Petit",
        "email": "citoyen@example.org",
    }


def test_userinfo_needs_a_valid_bearer_token(provider):
    assert requests.get(f"{provider.issuer}/userinfo", timeout=5).status_code == 401
    response = requests.get(
        f"{provider.issuer}/userinfo", headers={"Authorization": "Bearer inconnu"}, timeout=5
    )
    assert response.status_code == 401


# --- Faults --------------------------------------------------------------------------------


def test_fault_wrong_signature(provider):
    provider.fault = "wrong_signature"
    id_token = tokens(provider)["id_token"]
    with pytest.raises(BadSignatureError):
        jwt.decode(id_token, published_keys(provider), algorithms=["RS256"])


def test_fault_expired(provider):
    provider.fault = "expired"
    with pytest.raises(ExpiredTokenError):
        verified_claims(provider, tokens(provider)["id_token"])


def test_fault_wrong_nonce(provider):
    provider.fault = "wrong_nonce"
    claims = verified_claims(provider, tokens(provider, nonce="nonce-envoye")["id_token"])
    assert claims["nonce"] != "nonce-envoye"


def test_fault_wrong_audience(provider):
    provider.fault = "wrong_audience"
    with pytest.raises(InvalidClaimError, match="aud"):
        verified_claims(provider, tokens(provider)["id_token"])


def test_fault_wrong_issuer(provider):
    provider.fault = "wrong_issuer"
    with pytest.raises(InvalidClaimError, match="iss"):
        verified_claims(provider, tokens(provider)["id_token"])


def test_fault_wrong_userinfo_signature(provider):
    result = tokens(provider)
    verified_claims(provider, result["id_token"])  # the ID token stays valid
    provider.fault = "wrong_userinfo_signature"
    response = requests.get(
        f"{provider.issuer}/userinfo",
        headers={"Authorization": f"Bearer {result['access_token']}"},
        timeout=5,
    )
    with pytest.raises(BadSignatureError):
        jwt.decode(response.text, published_keys(provider), algorithms=["RS256"])


# --- Login page and session ----------------------------------------------------------------


def authorize_url(provider: OidcProvider, **overrides) -> str:
    _, challenge = pkce_pair()
    params = authorize_params(code_challenge=challenge, code_challenge_method="S256", **overrides)
    return f"{provider.issuer}/authorize?{urlencode(params)}"


def test_login_page_is_french_and_labelled(provider):
    response = requests.get(authorize_url(provider), allow_redirects=False, timeout=5)
    assert response.status_code == 200
    page = response.text
    assert '<html lang="fr">' in page
    assert "<main>" in page
    assert "<h1>Connexion — fournisseur d'identité de test</h1>" in page
    assert '<label for="email">Adresse e-mail</label>' in page
    assert 'id="email"' in page
    assert '<label for="password">Mot de passe</label>' in page
    assert 'id="password"' in page
    assert "Se connecter</button>" in page


def test_login_form_grants_then_session_is_reused(provider):
    browser = requests.Session()
    url = authorize_url(provider)
    wrong = browser.post(
        url, data={"email": AGENT["email"], "password": "faux"}, allow_redirects=False, timeout=5
    )
    assert wrong.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect." in wrong.text

    ok = browser.post(
        url,
        data={"email": AGENT["email"], "password": AGENT["password"]},
        allow_redirects=False,
        timeout=5,
    )
    assert ok.status_code == 302
    assert ok.headers["Location"].startswith(REDIRECT_URI)
    assert query_of(ok.headers["Location"])["state"] == "etat-123"
    assert provider.logins[-1]["sub"] == AGENT["sub"]

    # Single sign-on: the provider remembers the person...
    again = browser.get(authorize_url(provider), allow_redirects=False, timeout=5)
    assert again.status_code == 302
    # ...unless the client asks to log in again.
    forced = browser.get(authorize_url(provider, prompt="login"), allow_redirects=False, timeout=5)
    assert forced.status_code == 200
    assert "Se connecter" in forced.text


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "http://evil.example/oidc/callback/",
        "http://127.0.0.1:8123@evil.example/oidc/callback/",
        "https://127.0.0.1.evil.example/",
    ],
)
def test_redirect_uri_outside_loopback_is_refused_without_redirect(provider, redirect_uri):
    response = requests.get(
        authorize_url(provider, redirect_uri=redirect_uri), allow_redirects=False, timeout=5
    )
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert "Demande de connexion invalide" in response.text


def test_unknown_client_is_refused(provider):
    response = requests.get(
        authorize_url(provider, client_id="inconnu"), allow_redirects=False, timeout=5
    )
    assert response.status_code == 400


def test_auto_login_redirects_with_code_and_state(provider):
    provider.auto_login(AGENT["email"])
    response = requests.get(
        authorize_url(provider, state="etat-auto"), allow_redirects=False, timeout=5
    )
    assert response.status_code == 302
    query = query_of(response.headers["Location"])
    assert query["code"]
    assert query["state"] == "etat-auto"


# --- Logout --------------------------------------------------------------------------------


def test_logout_redirects_with_state_and_clears_the_session(provider):
    browser = requests.Session()
    url = authorize_url(provider)
    login = browser.post(
        url,
        data={"email": AGENT["email"], "password": AGENT["password"]},
        allow_redirects=False,
        timeout=5,
    )
    assert login.status_code == 302
    id_token = tokens(provider)["id_token"]
    provider.auto_login(None)

    response = browser.get(
        f"{provider.issuer}/logout",
        params={
            "id_token_hint": id_token,
            "post_logout_redirect_uri": LOGOUT_URI,
            "state": "etat-sortie",
        },
        allow_redirects=False,
        timeout=5,
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"{LOGOUT_URI}?state=etat-sortie"
    assert provider.logouts == [
        {
            "sub": AGENT["sub"],
            "client_id": TEST_CLIENT_ID,
            "id_token_hint": True,
            "post_logout_redirect_uri": LOGOUT_URI,
            "state": "etat-sortie",
            "redirect_uri": f"{LOGOUT_URI}?state=etat-sortie",
        }
    ]
    # The provider's session is gone: the login form is shown again.
    after = browser.get(authorize_url(provider), allow_redirects=False, timeout=5)
    assert after.status_code == 200
    assert "Se connecter" in after.text


def test_logout_to_an_unregistered_uri_does_not_redirect(provider):
    id_token = tokens(provider)["id_token"]
    response = requests.get(
        f"{provider.issuer}/logout",
        params={"id_token_hint": id_token, "post_logout_redirect_uri": "http://evil.example/"},
        allow_redirects=False,
        timeout=5,
    )
    assert response.status_code == 200
    assert "Vous êtes déconnecté" in response.text


def test_logout_with_a_forged_id_token_hint_is_refused(provider):
    provider.fault = "wrong_signature"
    forged = tokens(provider)["id_token"]
    response = requests.get(
        f"{provider.issuer}/logout",
        params={"id_token_hint": forged, "post_logout_redirect_uri": LOGOUT_URI},
        allow_redirects=False,
        timeout=5,
    )
    assert response.status_code == 400
    assert provider.logouts == []


# --- Standalone ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_runs_standalone():
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.oidc_provider",
            "--port",
            str(port),
            "--client-id",
            "caflab",
            "--client-secret",
            "secret-de-demo",
            "--redirect-uri",
            "http://localhost:8000/oidc/callback/",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/.well-known/openid-configuration"
        deadline = time.monotonic() + 20
        while True:
            try:
                doc = requests.get(url, timeout=1).json()
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "the provider did not start"
                time.sleep(0.1)
        assert doc["issuer"] == f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_unknown_fault_is_refused(provider):
    with pytest.raises(ValueError, match="Unknown fault"):
        provider.fault = "wrong_signatur"
