"""A real OpenID Connect provider on loopback, for tests and the demo.

It stands in for ProConnect (agents) and FranceConnect (citizens): the SSO client of CafLab
talks to it over HTTP exactly as it would to the real federation, so the client library is
never mocked. Built on authlib's server side (authorization code grant, OpenID Connect
``code`` flow, PKCE, RP-initiated logout) on a small Flask app with in-memory storage.

Usage in a test::

    with OidcProvider(signed_userinfo=True) as provider:
        provider.add_client("caflab-test", "secret-de-test", ["http://127.0.0.1:*"])
        provider.add_user("agent@caf38.example", "motdepasse", "sub-1", given_name="Ada")
        ...  # point the client at provider.discovery_url

Standalone, for the demo::

    python -m tests.oidc_provider --port 8090 --client-id caflab --client-secret s3cret \\
        --redirect-uri http://localhost:8000/oidc/callback/

Faults for negative tests (set ``provider.fault`` before the flow):

- ``"wrong_signature"``: the ID token is signed by another key than the published one
  (same ``kid``, so the client finds the key and the signature check fails);
- ``"expired"``: ``exp`` (and ``iat``, ``auth_time``) in the past;
- ``"wrong_nonce"``: the ``nonce`` of the ID token is not the one the client sent;
- ``"wrong_audience"``: ``aud`` is another client;
- ``"wrong_issuer"``: ``iss`` is another provider;
- ``"wrong_userinfo_signature"``: the signed userinfo response is signed by another key.
"""

from __future__ import annotations

import argparse
import functools
import hmac
import ipaddress
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from authlib.common.security import generate_token
from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.errors import InvalidRequestError
from authlib.oauth2.rfc6749.models import ClientMixin, TokenMixin
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import AuthorizationCodeMixin
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.core.util import create_half_hash
from authlib.oidc.rpinitiated import EndSessionEndpoint
from flask import Flask, Response, jsonify, render_template_string, request, session
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import WSGIRequestHandler, make_server

FAULTS = (
    "wrong_signature",
    "expired",
    "wrong_nonce",
    "wrong_audience",
    "wrong_issuer",
    "wrong_userinfo_signature",
)

# Scopes named after the claims, as ProConnect does (scope `siret` gives the `siret` claim).
DEFAULT_SCOPES = (
    "openid",
    "email",
    "given_name",
    "usual_name",
    "family_name",
    "siret",
    "organizational_unit",
    "uid",
    "phone",
    "idp_id",
)
DEFAULT_ACR = "eidas1"
KEY_ID = "caflab-test-op-rs256"
ID_TOKEN_LIFETIME = 3600
ACCESS_TOKEN_LIFETIME = 3600
CODE_LIFETIME = 600
LOOPBACK_HOSTS = {"localhost"}


def _is_loopback(hostname: str | None) -> bool:
    if not hostname:
        return False
    if hostname in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


def _uri_matches(uri: str, patterns: list[str]) -> bool:
    """Exact match, or prefix match for a pattern ending with ``*`` on a loopback host only
    (``http://127.0.0.1:*`` accepts any port and path of 127.0.0.1)."""
    for pattern in patterns:
        if not pattern.endswith("*"):
            if uri == pattern:
                return True
            continue
        if not uri.startswith(pattern[:-1]):
            continue
        try:
            parts = urlsplit(uri)
            parts.port  # noqa: B018 -- raises ValueError on a malformed port
        except ValueError:
            continue
        if (
            parts.scheme in ("http", "https")
            and not parts.username
            and _is_loopback(parts.hostname)
        ):
            return True
    return False


@functools.cache
def _signing_keys() -> tuple[RSAKey, RSAKey]:
    """The published key and an impostor with the same ``kid`` (generated once per process:
    RSA generation is slow and tests need no fresh key per provider)."""
    params = {"kid": KEY_ID, "use": "sig", "alg": "RS256"}
    return RSAKey.generate_key(2048, parameters=params), RSAKey.generate_key(
        2048, parameters=params
    )


class _QuietRequestHandler(WSGIRequestHandler):
    """No access log on stderr during tests."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


# --- In-memory models -------------------------------------------------------------------


@dataclass
class User:
    email: str
    password: str
    sub: str
    claims: dict[str, Any] = field(default_factory=dict)

    def get_user_id(self) -> str:
        return self.sub


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str
    redirect_uris: list[str]
    post_logout_redirect_uris: list[str]

    @property
    def client_metadata(self) -> dict[str, Any]:
        return {
            "redirect_uris": self.redirect_uris,
            "post_logout_redirect_uris": self.post_logout_redirect_uris,
        }

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        exact = [uri for uri in self.redirect_uris if not uri.endswith("*")]
        return exact[0] if exact else None

    def get_allowed_scope(self, scope: str | None) -> str:
        return scope or ""

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return _uri_matches(redirect_uri, self.redirect_uris)

    def check_post_logout_redirect_uri(self, uri: str) -> bool:
        return _uri_matches(uri, self.post_logout_redirect_uris)

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(client_secret.encode(), self.client_secret.encode())

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class AuthorizationCode(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    sub: str
    nonce: str | None
    auth_time: int
    acr: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    created_at: float = field(default_factory=time.time)

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> str | None:
        return self.acr

    def is_expired(self) -> bool:
        return time.time() > self.created_at + CODE_LIFETIME


@dataclass
class Token(TokenMixin):
    access_token: str
    client: Client
    user: User
    scope: str
    expires_in: int
    issued_at: float = field(default_factory=time.time)
    revoked: bool = False

    def check_client(self, client: Client) -> bool:
        return client.client_id == self.client.client_id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return self.expires_in

    def is_expired(self) -> bool:
        return time.time() > self.issued_at + self.expires_in

    def is_revoked(self) -> bool:
        return self.revoked

    def get_user(self) -> User:
        return self.user

    def get_client(self) -> Client:
        return self.client


# --- Pages (French, shown to people) -----------------------------------------------------

PAGE = """<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} — fournisseur d'identité de test</title>
<style>
body { font-family: system-ui, sans-serif; margin: 0; color: #161616; background: #f6f6f6; }
main { max-width: 28rem; margin: 3rem auto; padding: 2rem; background: #fff;
       border: 1px solid #ddd; }
label { display: block; margin-top: 1rem; font-weight: 600; }
input { display: block; width: 100%; box-sizing: border-box; padding: .5rem; margin-top: .25rem;
        font-size: 1rem; border: 1px solid #3a3a3a; }
button { margin-top: 1.5rem; padding: .6rem 1.2rem; font-size: 1rem; color: #fff;
         background: #000091; border: 0; cursor: pointer; }
.erreur { color: #ce0500; font-weight: 600; }
</style>
</head>
<body>
<main>
{{ body }}
</main>
</body>
</html>
"""

LOGIN_BODY = """<h1>Connexion — fournisseur d'identité de test</h1>
<p>Application qui demande la connexion : <strong>{{ client_id }}</strong>.</p>
{% if error %}<p class="erreur" role="alert" id="erreur-connexion">{{ error }}</p>{% endif %}
<form method="post" action="{{ action }}">
  <label for="email">Adresse e-mail</label>
  <input type="email" id="email" name="email" value="{{ email }}" autocomplete="username"
         required{% if error %} aria-describedby="erreur-connexion"{% endif %}>
  <label for="password">Mot de passe</label>
  <input type="password" id="password" name="password" autocomplete="current-password"
         required>
  <button type="submit">Se connecter</button>
</form>
"""

MESSAGE_BODY = """<h1>{{ title }}</h1>
<p>{{ message }}</p>
"""


def _render_page(title: str, body: str, status: int = 200, **context: Any) -> Response:
    html = render_template_string(PAGE.replace("{{ body }}", body), title=title, **context)
    return Response(html, status=status, content_type="text/html; charset=utf-8")


def _render_message(title: str, message: str, status: int = 200) -> Response:
    return _render_page(title, MESSAGE_BODY, status=status, message=message)


# --- The provider ------------------------------------------------------------------------


class OidcProvider:
    """An OpenID Connect provider served on a background thread of 127.0.0.1.

    :param host: interface to bind (127.0.0.1 for tests).
    :param port: 0 picks a free port.
    :param signed_userinfo: userinfo answered as a JWT signed RS256 (``application/jwt``),
        as ProConnect does; plain JSON otherwise.
    :param require_nonce: refuse authorization requests without ``nonce`` (ProConnect does).
    :param user_claims_in_id_token: also copy the user's scoped claims into the ID token; off
        by default (ProConnect's ID token carries ``sub`` only, claims come from userinfo).
    :param issuer: override the issuer (default ``http://HOST:PORT``).
    :param quiet: no access log (the standalone demo logs requests).
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        signed_userinfo: bool = False,
        require_nonce: bool = True,
        user_claims_in_id_token: bool = False,
        issuer: str | None = None,
        quiet: bool = True,
    ) -> None:
        self.signed_userinfo = signed_userinfo
        self.require_nonce = require_nonce
        self.user_claims_in_id_token = user_claims_in_id_token
        self._fault: str | None = None
        self.acr = DEFAULT_ACR
        self.auto_login_email: str | None = None
        self.users: dict[str, User] = {}
        self.clients: dict[str, Client] = {}
        self.codes: dict[str, AuthorizationCode] = {}
        self.tokens: dict[str, Token] = {}
        self.logins: list[dict[str, Any]] = []
        self.logouts: list[dict[str, Any]] = []
        self.key, self.impostor_key = _signing_keys()
        self._lock = threading.Lock()
        self._issuer_override = issuer
        self.app = self._create_app()
        handler = _QuietRequestHandler if quiet else None
        self._server = make_server(host, port, self.app, threaded=True, request_handler=handler)
        self.host = host
        self.port = self._server.server_port
        self._thread: threading.Thread | None = None

    # Public API ------------------------------------------------------------------------

    @property
    def issuer(self) -> str:
        if self._issuer_override:
            return self._issuer_override
        return f"http://{self.host}:{self.port}"

    @property
    def fault(self) -> str | None:
        """The fault injected in the next tokens (see the module docstring), or None."""
        return self._fault

    @fault.setter
    def fault(self, value: str | None) -> None:
        if value is not None and value not in FAULTS:
            raise ValueError(f"Unknown fault {value!r}: expected None or one of {FAULTS}.")
        self._fault = value

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    @property
    def jwks(self) -> dict[str, Any]:
        """The public JWKS as published on ``/jwks``."""
        return {"keys": [self.key.as_dict(private=False)]}

    def add_user(self, email: str, password: str, sub: str, **claims: Any) -> User:
        claims.setdefault("email", email)
        user = User(email=email, password=password, sub=sub, claims=claims)
        self.users[email.lower()] = user
        return user

    def add_client(
        self,
        client_id: str,
        client_secret: str,
        redirect_uris: list[str],
        post_logout_redirect_uris: list[str] | None = None,
    ) -> Client:
        client = Client(
            client_id=client_id,
            client_secret=client_secret,
            redirect_uris=list(redirect_uris),
            post_logout_redirect_uris=list(post_logout_redirect_uris or []),
        )
        self.clients[client_id] = client
        return client

    def auto_login(self, email: str | None) -> None:
        """Make ``/authorize`` grant at once for this user, without the login form (``None``
        brings the form back). ``requests.get(authorize_url, allow_redirects=False)`` then
        answers the 302 to the redirect URI with ``code`` and ``state``."""
        if email is not None and email.lower() not in self.users:
            raise KeyError(f"Unknown user {email!r}: add_user() first.")
        self.auto_login_email = email

    def start(self) -> OidcProvider:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"oidc-provider-{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> OidcProvider:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # Claims ----------------------------------------------------------------------------

    def user_claims(self, user: User, scope: str) -> dict[str, Any]:
        """``sub``, every claim of the user whose name is a granted scope, and
        ``email_verified`` along with ``email``."""
        scopes = set(scope.split())
        claims: dict[str, Any] = {"sub": user.sub}
        for name, value in user.claims.items():
            if name in scopes:
                claims[name] = value
        if "email" in scopes and "email_verified" in user.claims:
            claims["email_verified"] = user.claims["email_verified"]
        return claims

    def discovery_document(self) -> dict[str, Any]:
        issuer = self.issuer
        scopes = list(DEFAULT_SCOPES)
        for user in self.users.values():
            scopes.extend(name for name in user.claims if name not in scopes)
        return {
            "issuer": issuer,
            "authorization_endpoint": f"{issuer}/authorize",
            "token_endpoint": f"{issuer}/token",
            "userinfo_endpoint": f"{issuer}/userinfo",
            "jwks_uri": f"{issuer}/jwks",
            "end_session_endpoint": f"{issuer}/logout",
            "scopes_supported": scopes,
            "claims_supported": sorted({"sub", "email_verified", *scopes} - {"openid"}),
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "userinfo_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": [
                "client_secret_post",
                "client_secret_basic",
            ],
            "acr_values_supported": [DEFAULT_ACR],
            "claims_parameter_supported": True,
            "prompt_values_supported": ["none", "login"],
        }

    def _find_user(self, email: str | None) -> User | None:
        if not email:
            return None
        return self.users.get(email.lower())

    def _requested_acr(self) -> str | None:
        """``acr`` goes in the ID token when asked, through ``acr_values`` or the ``claims``
        parameter (``{"id_token": {"acr": {"essential": true, "values": [...]}}}``)."""
        acr_values = request.values.get("acr_values")
        if acr_values:
            return acr_values.split()[0]
        try:
            asked = json.loads(request.values.get("claims") or "{}").get("id_token") or {}
        except (ValueError, AttributeError):
            return None
        if "acr" not in asked:
            return None
        spec = asked["acr"] if isinstance(asked["acr"], dict) else {}
        if spec.get("value"):
            return spec["value"]
        if spec.get("values"):
            return spec["values"][0]
        return self.acr

    # Flask app -------------------------------------------------------------------------

    def _create_app(self) -> Flask:
        provider = self
        app = Flask(__name__)
        app.secret_key = secrets.token_hex(32)
        # Cookies ignore ports: a distinct name keeps it apart from Django's on 127.0.0.1.
        app.config["SESSION_COOKIE_NAME"] = "oidc_test_provider_session"
        app.config["OAUTH2_TOKEN_EXPIRES_IN"] = {"authorization_code": ACCESS_TOKEN_LIFETIME}

        class CodeGrant(grants.AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

            def save_authorization_code(self, code, req):
                payload = req.payload.data
                item = AuthorizationCode(
                    code=code,
                    client_id=req.client.get_client_id(),
                    redirect_uri=req.payload.redirect_uri,
                    scope=req.scope,
                    sub=req.user.sub,
                    nonce=payload.get("nonce"),
                    auth_time=session.get("auth_time") or int(time.time()),
                    acr=provider._requested_acr(),
                    code_challenge=payload.get("code_challenge"),
                    code_challenge_method=payload.get("code_challenge_method"),
                )
                with provider._lock:
                    provider.codes[code] = item
                return item

            def query_authorization_code(self, code, client):
                item = provider.codes.get(code)
                if item and item.client_id == client.get_client_id() and not item.is_expired():
                    return item
                return None

            def delete_authorization_code(self, authorization_code):
                with provider._lock:
                    provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code):
                for user in provider.users.values():
                    if user.sub == authorization_code.sub:
                        return user
                return None

        class S256Required(CodeChallenge):
            """PKCE is mandatory for every client (confidential ones too), S256 only."""

            SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

            def validate_code_challenge(self, grant, redirect_uri):
                data = grant.request.payload.data
                if not data.get("code_challenge"):
                    raise InvalidRequestError("Missing 'code_challenge' (PKCE is required).")
                if data.get("code_challenge_method") != "S256":
                    raise InvalidRequestError("'code_challenge_method' must be 'S256'.")
                super().validate_code_challenge(grant, redirect_uri)

        class OpenIDCodeExtension(OpenIDCode):
            def exists_nonce(self, nonce, req):
                # No replay detection at the provider (nor at ProConnect): matching the nonce
                # with the one in its session is the client's check, and a test replaying an
                # authorization URL must not be refused here.
                return False

            def generate_user_info(self, user, scope):
                claims = provider.user_claims(user, scope)
                if not provider.user_claims_in_id_token:
                    claims = {"sub": claims["sub"]}
                return claims

            def encode_id_token(self, token, req):
                now = int(time.time())
                code = req.authorization_code
                client_id = req.client.get_client_id()
                claims: dict[str, Any] = {
                    "iss": provider.issuer,
                    "aud": client_id,
                    "iat": now,
                    "exp": now + ID_TOKEN_LIFETIME,
                    "auth_time": code.get_auth_time(),
                }
                if code.get_nonce():
                    claims["nonce"] = code.get_nonce()
                if code.get_acr():
                    claims["acr"] = code.get_acr()
                claims["amr"] = ["pwd"]
                at_hash = create_half_hash(token["access_token"], "RS256")
                claims["at_hash"] = at_hash.decode()
                claims.update(self.generate_user_info(req.user, token["scope"]))

                key = provider.key
                fault = provider.fault
                if fault == "wrong_signature":
                    key = provider.impostor_key
                elif fault == "expired":
                    claims["iat"] = now - 2 * ID_TOKEN_LIFETIME
                    claims["auth_time"] = now - 2 * ID_TOKEN_LIFETIME
                    claims["exp"] = now - ID_TOKEN_LIFETIME
                elif fault == "wrong_nonce":
                    claims["nonce"] = "nonce-falsifie-" + generate_token(16)
                elif fault == "wrong_audience":
                    claims["aud"] = "un-autre-client"
                elif fault == "wrong_issuer":
                    claims["iss"] = "https://faux-fournisseur.example"
                header = {"alg": "RS256", "kid": KEY_ID, "typ": "JWT"}
                return jwt.encode(header, claims, key, algorithms=["RS256"])

            def __call__(self, grant):
                # Same as OpenIDCode, with the nonce requirement read from the provider.
                self.require_nonce = provider.require_nonce
                super().__call__(grant)

        class EndSession(EndSessionEndpoint):
            def get_server_jwks(self):
                return KeySet([provider.key])

            def get_algorithms(self):
                return ["RS256"]

            def _is_valid_post_logout_redirect_uri(self, client, post_logout_redirect_uri):
                return client.check_post_logout_redirect_uri(post_logout_redirect_uri)

            def end_session(self, end_session_request):
                data = end_session_request.request.payload.data
                claims = end_session_request.id_token_claims or {}
                with provider._lock:
                    provider.logouts.append(
                        {
                            "sub": claims.get("sub") or session.get("sub"),
                            "client_id": (
                                end_session_request.client.get_client_id()
                                if end_session_request.client
                                else None
                            ),
                            "id_token_hint": bool(data.get("id_token_hint")),
                            "post_logout_redirect_uri": data.get("post_logout_redirect_uri"),
                            "state": data.get("state"),
                            "redirect_uri": end_session_request.redirect_uri,
                        }
                    )
                session.clear()

        class TokenValidator(BearerTokenValidator):
            def authenticate_token(self, token_string):
                return provider.tokens.get(token_string)

        def save_token(token_data, req):
            token = Token(
                access_token=token_data["access_token"],
                client=req.client,
                user=req.user,
                scope=token_data.get("scope", ""),
                expires_in=token_data.get("expires_in", ACCESS_TOKEN_LIFETIME),
            )
            with provider._lock:
                provider.tokens[token.access_token] = token

        server = AuthorizationServer(app, query_client=self.clients.get, save_token=save_token)
        server.register_grant(CodeGrant, [S256Required(), OpenIDCodeExtension()])
        server.register_endpoint(EndSession)
        require_oauth = ResourceProtector()
        require_oauth.register_token_validator(TokenValidator())
        self.authorization_server = server

        @app.get("/.well-known/openid-configuration")
        def discovery():
            return jsonify(provider.discovery_document())

        @app.get("/jwks")
        def jwks():
            return jsonify(provider.jwks)

        @app.route("/authorize", methods=["GET", "POST"])
        def authorize():
            return provider._authorize(server)

        @app.post("/token")
        def token():
            return server.create_token_response()

        @app.route("/userinfo", methods=["GET", "POST"])
        def userinfo():
            try:
                token = require_oauth.acquire_token(["openid"])
            except OAuth2Error as error:
                require_oauth.raise_error_response(error)
            claims = provider.user_claims(token.get_user(), token.get_scope())
            if not provider.signed_userinfo:
                return jsonify(claims)
            now = int(time.time())
            claims["iss"] = provider.issuer
            claims["aud"] = token.get_client().get_client_id()
            claims["iat"] = now
            claims["exp"] = now + ID_TOKEN_LIFETIME
            key = provider.key
            if provider.fault == "wrong_userinfo_signature":
                key = provider.impostor_key
            header = {"alg": "RS256", "kid": KEY_ID, "typ": "JWT"}
            body = jwt.encode(header, claims, key, algorithms=["RS256"])
            return Response(body, content_type="application/jwt")

        @app.route("/logout", methods=["GET", "POST"])
        def logout():
            try:
                end_session_request = server.validate_endpoint_request("end_session")
            except OAuth2Error as error:
                return _render_message(
                    "Déconnexion impossible",
                    f"La demande de déconnexion est invalide : {error.description or error.error}",
                    status=400,
                )
            response = server.create_endpoint_response("end_session", end_session_request)
            if response is not None:
                return response
            return _render_message("Vous êtes déconnecté", "Votre session a bien été fermée.")

        return app

    def _authorize(self, server: AuthorizationServer) -> Response:
        current = self._find_user(session.get("email"))
        if self.auto_login_email:
            current = self._find_user(self.auto_login_email)
        try:
            grant = server.get_consent_grant(end_user=current)
        except OAuth2Error as error:
            if error.redirect_uri:
                return server.handle_error_response(None, error)
            return _render_message(
                "Demande de connexion invalide",
                f"L'application a envoyé une demande invalide : {error.description or error.error}",
                status=400,
            )

        if request.method == "POST":
            email = request.form.get("email", "").strip()
            user = self._find_user(email)
            password = request.form.get("password", "")
            if user is None or not hmac.compare_digest(password.encode(), user.password.encode()):
                return self._login_page(grant, email=email, status=200, error=True)
            session["email"] = user.email
            session["sub"] = user.sub
            session["auth_time"] = int(time.time())
            return self._grant(server, grant, user)

        if self.auto_login_email and current is not None:
            session["email"] = current.email
            session["sub"] = current.sub
            session["auth_time"] = int(time.time())
            return self._grant(server, grant, current)
        if current is not None and grant.prompt != "login":
            return self._grant(server, grant, current)
        return self._login_page(grant)

    def _grant(self, server: AuthorizationServer, grant: Any, user: User) -> Response:
        self.logins.append(
            {
                "sub": user.sub,
                "email": user.email,
                "client_id": grant.client.get_client_id(),
                "scope": grant.request.scope,
            }
        )
        return server.create_authorization_response(grant_user=user, grant=grant)

    def _login_page(
        self, grant: Any, email: str = "", status: int = 200, error: bool = False
    ) -> Response:
        message = "Adresse e-mail ou mot de passe incorrect." if error else ""
        action = request.path
        if request.query_string:
            action += "?" + request.query_string.decode()
        return _render_page(
            "Connexion",
            LOGIN_BODY,
            status=status,
            client_id=grant.client.get_client_id(),
            action=action,
            email=email,
            error=message,
        )


# --- Standalone, for the demo ------------------------------------------------------------

DEMO_USERS = (
    # ProConnect-shaped agent.
    {
        "email": "agent.demo@caf38.example",
        "password": "demo",
        "sub": "proconnect-agent-demo",
        "given_name": "Camille",
        "usual_name": "Martin",
        "siret": "53466780500017",
        "organizational_unit": "Caf de l'Isère",
        "uid": "agent-demo",
        "email_verified": True,
    },
    # ProConnect-shaped agent of an organisation no Caf claims: a pending account.
    {
        "email": "agent.attente@caf38.example",
        "password": "demo",
        "sub": "proconnect-agent-attente",
        "given_name": "Noé",
        "usual_name": "Perrin",
        "siret": "13000000000099",
        "organizational_unit": "Antenne de Vienne",
        "uid": "agent-attente",
        "email_verified": True,
    },
    # FranceConnect-shaped citizen.
    {
        "email": "citoyen.demo@example.org",
        "password": "demo",
        "sub": "franceconnect-citoyen-demo",
        "given_name": "Dominique",
        "family_name": "Petit",
        "email_verified": True,
    },
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Test OpenID Connect provider for CafLab.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--issuer", help="public issuer URL, default http://HOST:PORT")
    parser.add_argument("--client-id", default="caflab")
    parser.add_argument("--client-secret", default="secret-de-demo")
    parser.add_argument("--redirect-uri", action="append", default=[])
    parser.add_argument("--post-logout-redirect-uri", action="append", default=[])
    parser.add_argument(
        "--json-userinfo", action="store_true", help="plain JSON userinfo (default: signed JWT)"
    )
    parser.add_argument(
        "--user",
        action="append",
        default=[],
        metavar="EMAIL:PASSWORD:SUB",
        help="extra user (claims: email only)",
    )
    args = parser.parse_args(argv)
    if not _is_loopback(args.host):
        # authlib refuses plain http outside loopback unless told otherwise.
        os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")

    provider = OidcProvider(
        args.host,
        args.port,
        signed_userinfo=not args.json_userinfo,
        issuer=args.issuer,
        quiet=False,
    )
    redirect_uris = args.redirect_uri or ["http://127.0.0.1:*", "http://localhost:*"]
    logout_uris = args.post_logout_redirect_uri or ["http://127.0.0.1:*", "http://localhost:*"]
    provider.add_client(args.client_id, args.client_secret, redirect_uris, logout_uris)
    for demo in DEMO_USERS:
        data = dict(demo)
        provider.add_user(data.pop("email"), data.pop("password"), data.pop("sub"), **data)
    for spec in args.user:
        email, password, sub = spec.split(":", 2)
        provider.add_user(email, password, sub, email_verified=True)

    print(f"Fournisseur OpenID Connect de test : {provider.issuer}")
    print(f"Découverte : {provider.discovery_url}")
    print(f"Client : {args.client_id} ; URI de retour : {', '.join(redirect_uris)}")
    for user in provider.users.values():
        print(f"Utilisateur : {user.email} / {user.password} (sub {user.sub})")
    provider.start()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        provider.stop()


if __name__ == "__main__":
    main()
