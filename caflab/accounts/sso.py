"""Single sign-on through OpenID Connect: network members with the agents' provider
(ProConnect), citizens with the citizens' provider (FranceConnect).

authlib's Django client does the protocol: discovery, authorization code flow with PKCE (S256),
`state` kept in the session and checked, `nonce` checked in the ID token together with its
signature (the provider's published keys), issuer, audience and expiry. This module decides
who the person is:

- the account is found by the provider's subject (`SsoIdentity`) first, by a verified e-mail
  second, and created at the first sign-in otherwise;
- an agent whose `siret` claim is one of a Caf's SIRETs (`CafSiret`) is placed in that Caf with
  the agent role; an unknown organisation makes a *pending* account that a person places later.
  A claim never grants a role above "agent".

Nothing is created or changed when any check fails: `SsoError` carries the French message.
"""

import logging
from dataclasses import dataclass
from typing import Any

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from caflab.accounts.models import AccountChange, Role, SsoIdentity, User
from caflab.accounts.services import account_created, account_update
from caflab.network.models import CafSiret

logger = logging.getLogger(__name__)

AGENTS = SsoIdentity.Provider.AGENTS
CITIZENS = SsoIdentity.Provider.CITIZENS
# How long a sign-in may wait at the provider (seconds): our calls to it never hang a worker.
PROVIDER_TIMEOUT = 10


class SsoError(Exception):
    """A sign-in refused: the message says why, in French, to the person."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


# --- configuration -----------------------------------------------------------------------------


def provider_settings(name: str) -> dict[str, Any]:
    return settings.SSO_PROVIDERS.get(name) or {}


def is_configured(name: str) -> bool:
    config = provider_settings(name)
    return bool(config.get("discovery_url") and config.get("client_id"))


def configured_providers() -> list[dict[str, str]]:
    """The providers a login page offers: name and label."""
    return [
        {"name": name, "label": provider_settings(name)["label"]}
        for name in (AGENTS, CITIZENS)
        if is_configured(name)
    ]


def sso_only_for_network() -> bool:
    """Network members may not use a password: only when their provider is really there."""
    return bool(settings.SSO_ONLY_FOR_NETWORK and is_configured(AGENTS))


_clients: dict[tuple[str, ...], Any] = {}


def client_for(name: str) -> Any:
    """authlib's client for provider `name`, built once per configuration (its discovery
    document and keys are fetched at first use and kept; unknown key ids refetch the keys)."""
    config = provider_settings(name)
    key = (name, config["discovery_url"], config["client_id"], config["client_secret"])
    if key not in _clients:
        oauth = OAuth()
        _clients[key] = oauth.register(
            name=name,
            server_metadata_url=config["discovery_url"],
            client_id=config["client_id"],
            client_secret=config["client_secret"],
            authorize_params=(
                {"acr_values": config["acr_values"]} if config.get("acr_values") else None
            ),
            client_kwargs={
                "scope": config["scopes"],
                "code_challenge_method": "S256",
                "timeout": PROVIDER_TIMEOUT,
            },
        )
    return _clients[key]


def callback_url(name: str) -> str:
    # SITE_URL, not the request's host: the redirect URI must be exactly the one registered at
    # the provider, whatever the proxy in front passes on.
    return settings.SITE_URL + reverse("accounts:sso-callback", kwargs={"provider": name})


def logged_out_url(name: str) -> str:
    return settings.SITE_URL + reverse("accounts:sso-logged-out", kwargs={"provider": name})


# --- the protocol ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claims:
    subject: str
    email: str
    email_verified: bool | None
    given_name: str
    family_name: str
    siret: str
    organisation: str


def _userinfo(client: Any, token: dict[str, Any]) -> dict[str, Any]:
    """The userinfo endpoint's claims. ProConnect answers a JWT signed with its keys
    (`application/jwt`): its signature is checked like the ID token's."""
    metadata = client.load_server_metadata()
    endpoint = metadata.get("userinfo_endpoint")
    if not endpoint:
        return {}
    response = client.get(endpoint, token=token, timeout=PROVIDER_TIMEOUT)
    response.raise_for_status()
    if response.headers.get("Content-Type", "").split(";")[0].strip() == "application/jwt":
        keys = KeySet.import_key_set(client.fetch_jwk_set())
        try:
            decoded = jwt.decode(response.text.strip(), keys)
        except JoseError:
            keys = KeySet.import_key_set(client.fetch_jwk_set(force=True))
            decoded = jwt.decode(response.text.strip(), keys)
        claims = dict(decoded.claims)
        issuer = metadata.get("issuer")
        if issuer and claims.get("iss") not in (None, issuer):
            raise SsoError(_("La réponse du fournisseur d’identité n’a pas pu être vérifiée."))
        return claims
    return dict(response.json())


def claims_from_callback(name: str, request: Any) -> tuple[Claims, dict[str, Any]]:
    """Finish the authorization code flow of `request` (the provider's redirect back to us):
    checks state, exchanges the code with the PKCE verifier, verifies the ID token (signature,
    issuer, audience, expiry, nonce) and reads userinfo. Returns the claims and the token."""
    client = client_for(name)
    if request.GET.get("error"):
        raise SsoError(_("La connexion a été annulée ou refusée par le fournisseur d’identité."))
    try:
        token = client.authorize_access_token(request, leeway=60)
    except OAuthError as error:
        if error.error == "mismatching_state":
            raise SsoError(
                _(
                    "Cette demande de connexion n’est pas valide ou a expiré : "
                    "recommencez depuis la page de connexion."
                )
            ) from error
        logger.warning("SSO %s: token exchange refused (%s)", name, error.error)
        raise SsoError(
            _("Le fournisseur d’identité a refusé la connexion : recommencez.")
        ) from error
    except (JoseError, ValueError) as error:
        # A signature, issuer, audience, expiry or nonce that does not check out.
        logger.warning("SSO %s: ID token refused (%s)", name, type(error).__name__)
        raise SsoError(
            _(
                "La réponse du fournisseur d’identité n’a pas pu être vérifiée : "
                "la connexion est refusée."
            )
        ) from error
    except requests.RequestException as error:
        logger.warning("SSO %s: provider unreachable (%s)", name, type(error).__name__)
        raise SsoError(
            _("Le fournisseur d’identité ne répond pas : réessayez dans quelques minutes."),
            status=502,
        ) from error
    id_claims = token.get("userinfo")
    if not id_claims or not id_claims.get("sub"):
        raise SsoError(
            _(
                "La réponse du fournisseur d’identité n’a pas pu être vérifiée : "
                "la connexion est refusée."
            )
        )
    try:
        info = _userinfo(client, token)
    except JoseError as error:
        raise SsoError(
            _(
                "La réponse du fournisseur d’identité n’a pas pu être vérifiée : "
                "la connexion est refusée."
            )
        ) from error
    except requests.RequestException as error:
        raise SsoError(
            _("Le fournisseur d’identité ne répond pas : réessayez dans quelques minutes."),
            status=502,
        ) from error
    if info and info.get("sub") != id_claims["sub"]:
        # OpenID Connect Core 5.3.2: userinfo about someone else is never used.
        raise SsoError(
            _(
                "La réponse du fournisseur d’identité n’a pas pu être vérifiée : "
                "la connexion est refusée."
            )
        )
    merged = {**dict(id_claims), **info}
    verified = merged.get("email_verified")
    claims = Claims(
        subject=str(merged["sub"]),
        email=User.objects.normalize_email(merged.get("email")),
        email_verified=None if verified is None else verified in (True, "true", "True", 1),
        given_name=str(merged.get("given_name") or "")[:150],
        family_name=str(merged.get("usual_name") or merged.get("family_name") or "")[:150],
        siret="".join(ch for ch in str(merged.get("siret") or "") if ch.isdigit())[:14],
        organisation=str(merged.get("organizational_unit") or "")[:255],
    )
    return claims, token


# --- who the person is -------------------------------------------------------------------------


def _refuse_unverified(claims: Claims) -> None:
    if not claims.email:
        raise SsoError(
            _(
                "Le fournisseur d’identité n’a pas transmis votre adresse e-mail : "
                "la connexion est refusée."
            )
        )
    # ProConnect and FranceConnect vouch for the address they send; a provider that says
    # outright that it is not verified is not trusted with it.
    if claims.email_verified is False:
        raise SsoError(
            _(
                "Votre adresse e-mail n’est pas vérifiée par le fournisseur d’identité : "
                "la connexion est refusée. Vérifiez-la chez lui, puis recommencez."
            )
        )


@transaction.atomic
def account_for_claims(name: str, claims: Claims) -> User:
    """The account these verified claims sign in to: by subject, by verified e-mail, or new.
    Raises SsoError when the account may not sign in this way."""
    _refuse_unverified(claims)
    now = timezone.now()
    identity = (
        SsoIdentity.objects.select_for_update()
        .select_related("user")
        .filter(provider=name, subject=claims.subject)
        .first()
    )
    if identity is not None:
        user = identity.user
    else:
        user = User.objects.select_for_update().filter(email=claims.email).first()
        if user is None:
            user = _create_account(name, claims)
        elif name == CITIZENS and user.role != Role.CITIZEN:
            raise SsoError(
                _(
                    "Cette adresse appartient à un compte professionnel : connectez-vous "
                    "avec la connexion des agents ou par mot de passe."
                )
            )
        try:
            with transaction.atomic():
                identity = SsoIdentity.objects.create(
                    user=user, provider=name, subject=claims.subject
                )
        except IntegrityError as error:
            # Either this account already has another identity at this provider, or the same
            # subject signed in twice at once.
            raise SsoError(
                _(
                    "Ce compte est déjà associé à une autre identité chez ce fournisseur : "
                    "contactez l’équipe du CafLab."
                )
            ) from error
    if not user.is_active:
        raise SsoError(
            _("Ce compte est désactivé : contactez l’équipe du CafLab ou votre correspondant."),
            status=403,
        )
    identity.siret = claims.siret
    identity.organisation = claims.organisation
    identity.last_login_at = now
    identity.save(update_fields=["siret", "organisation", "last_login_at"])
    if name == AGENTS and user.role == Role.PENDING and claims.siret:
        # The organisation may have been given a Caf since the last sign-in.
        siret = CafSiret.objects.filter(siret=claims.siret).select_related("caf").first()
        if siret is not None:
            account_update(
                user=user,
                by=None,
                source=AccountChange.Source.SSO,
                kind=AccountChange.Kind.ASSIGNED,
                reason=_("SIRET %(siret)s de la %(caf)s")
                % {"siret": siret.siret, "caf": siret.caf},
                role=Role.AGENT,
                caf=siret.caf,
            )
    if name == CITIZENS and user.email_verified_at is None:
        user.email_verified_at = now
        user.save(update_fields=["email_verified_at", "updated_at"])
    return user


def _create_account(name: str, claims: Claims) -> User:
    fields: dict[str, Any] = {
        "email": claims.email,
        "first_name": claims.given_name,
        "last_name": claims.family_name,
    }
    reason = ""
    if name == AGENTS:
        siret = (
            CafSiret.objects.filter(siret=claims.siret).select_related("caf").first()
            if claims.siret
            else None
        )
        if siret is not None:
            fields.update(role=Role.AGENT, caf=siret.caf)
            reason = _("SIRET %(siret)s de la %(caf)s") % {"siret": siret.siret, "caf": siret.caf}
        else:
            fields.update(role=Role.PENDING)
            reason = _("Organisation inconnue (SIRET %(siret)s)") % {"siret": claims.siret or "—"}
    else:
        fields.update(role=Role.CITIZEN, email_verified_at=timezone.now())
    user = User(**fields)
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:  # the same person's first sign-in, twice at once
        raise SsoError(_("Votre compte est en cours de création : recommencez.")) from error
    account_created(user=user, by=None, source=AccountChange.Source.SSO, reason=reason)
    return user
