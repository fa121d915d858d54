"""Personal access tokens: creating one (its secret returned once), revoking it, and finding
the person behind a presented secret."""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caflab.api.models import (
    MAX_LIFETIME,
    TOUCH_EVERY,
    AccessToken,
    digest,
    new_secret,
    prefix_of,
)
from caflab.core.errors import AlreadyDone, DomainError, NotAllowedNow

# Active tokens a person may hold at once: one per tool is plenty.
MAX_ACTIVE_TOKENS = 10


class TokenRefused(DomainError):
    """A presented secret that opens nothing: unknown, revoked, expired, or its person gone."""

    default_message = gettext_lazy("Jeton d’accès invalide.")


def may_hold_tokens(user) -> bool:
    """Network members only: citizens, partners and anonymous visitors read what is public,
    which needs no token (a citizen's community consultations stay on the site)."""
    return bool(user.is_authenticated and user.is_network_member)


@transaction.atomic
def token_create(
    *, user, name: str, lifetime: datetime.timedelta, now: datetime.datetime | None = None
) -> tuple[AccessToken, str]:
    """A new read-only token of `user` and its secret, which is never stored nor shown again."""
    if not may_hold_tokens(user):
        raise NotAllowedNow(_("Les jetons d’accès sont réservés aux membres du réseau."))
    if lifetime <= datetime.timedelta(0) or lifetime > MAX_LIFETIME:
        raise NotAllowedNow(_("Un jeton expire au plus tard un an après sa création."))
    now = now or timezone.now()
    # The person's row, locked: two tabs creating at once cannot pass the limit together.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    if AccessToken.objects.of(user).active(now).count() >= MAX_ACTIVE_TOKENS:
        raise NotAllowedNow(
            _("Vous avez déjà %(n)s jetons actifs : révoquez-en un avant d’en créer un autre.")
            % {"n": MAX_ACTIVE_TOKENS}
        )
    for _attempt in range(3):  # a prefix collision (1 in 4 billion): draw again
        prefix, secret = new_secret()
        try:
            with transaction.atomic():
                token = AccessToken.objects.create(
                    user=user,
                    name=name.strip(),
                    prefix=prefix,
                    secret_hash=digest(secret),
                    created_at=now,
                    expires_at=now + lifetime,
                )
            return token, secret
        except IntegrityError:
            continue
    raise NotAllowedNow(_("Le jeton n’a pas pu être créé : réessayez."))


@transaction.atomic
def token_revoke(*, token: AccessToken, by) -> AccessToken:
    """Revoke `token` for good. Twice (a double click, two tabs): "déjà fait"."""
    locked = AccessToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is not None:
        raise AlreadyDone(_("Ce jeton est déjà révoqué."))
    locked.revoked_at = timezone.now()
    locked.revoked_by = by if getattr(by, "is_authenticated", False) else None
    locked.save(update_fields=["revoked_at", "revoked_by"])
    return locked


@dataclass(frozen=True)
class Bearer:
    token: AccessToken
    user: object


def token_authenticate(secret: str, *, now: datetime.datetime | None = None) -> Bearer:
    """The token and person behind `secret` (one query), its use dated (at most one write a
    minute); `TokenRefused` with the reason otherwise."""
    now = now or timezone.now()
    prefix = prefix_of(secret.strip())
    token = (
        AccessToken.objects.select_related("user").filter(prefix=prefix).first() if prefix else None
    )
    if token is None or not token.matches(secret.strip()):
        raise TokenRefused()
    if token.revoked_at is not None:
        raise TokenRefused(_("Ce jeton d’accès a été révoqué."))
    if token.expires_at <= now:
        raise TokenRefused(_("Ce jeton d’accès a expiré : créez-en un nouveau sur votre profil."))
    if not may_hold_tokens(token.user):
        raise TokenRefused(_("Ce compte ne peut plus utiliser de jeton d’accès."))
    if token.last_used_at is None or token.last_used_at <= now - TOUCH_EVERY:
        # A conditional write: of two requests in the same minute, one writes.
        AccessToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - TOUCH_EVERY)
        ).update(last_used_at=now)
        token.last_used_at = now
    return Bearer(token=token, user=token.user)
