"""Personal access tokens of the read API: a network member's key for their own scripts and
dashboards (Metabase, Power BI), read-only, answering what that person sees on the site.

Only a SHA-256 digest of the secret is stored (the secret is 256 random bits: no salt or slow
hash is needed against guessing), beside a short visible prefix that finds the row and that the
person recognises in their list. The secret itself is shown once, when the token is created.
Creation and revocation are in the audit trail (pghistory triggers, caflab.core.audit); use is
dated on the row at most once a minute (no write per request) and each request is logged with
the person's id (caflab.core.requestlog), never the secret.
"""

import datetime
import hashlib
import hmac
import secrets

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caflab.core.audit import event_meta

# What every secret starts with: recognisable by secret scanners and by people.
SECRET_PREFIX = "caflab_"  # noqa: S105 (a public marker, not a secret)
PREFIX_LENGTH = 8
# A token lives at most this long (a forgotten token must die on its own).
MAX_LIFETIME = datetime.timedelta(days=366)
# last_used_at is written at most this often per token.
TOUCH_EVERY = datetime.timedelta(minutes=1)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> tuple[str, str]:
    """A fresh (prefix, secret): `caflab_<prefix>_<43 url-safe characters>`."""
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    return prefix, f"{SECRET_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"


def prefix_of(secret: str) -> str | None:
    """The lookup prefix a presented secret claims, or None when it is not shaped like ours."""
    if not secret.startswith(SECRET_PREFIX):
        return None
    prefix, _sep, rest = secret[len(SECRET_PREFIX) :].partition("_")
    if len(prefix) != PREFIX_LENGTH or not rest:
        return None
    return prefix


class AccessTokenQuerySet(models.QuerySet["AccessToken"]):
    def active(self, now: datetime.datetime | None = None) -> "AccessTokenQuerySet":
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)

    def of(self, user) -> "AccessTokenQuerySet":
        return self.filter(user=user)


@pghistory.track(
    # Created and revoked: the two acts the audit trail keeps (use is dated on the row).
    pghistory.InsertEvent("created"),
    pghistory.UpdateEvent("revoked", condition=pghistory.AnyChange("revoked_at")),
    pghistory.DeleteEvent("deleted"),
    fields=["user", "name", "prefix", "expires_at", "revoked_at", "revoked_by"],
    model_name="AccessTokenEvent",
    meta=event_meta(_("historique : jeton d’accès"), _("historique : jetons d’accès")),
)
class AccessToken(models.Model):
    class Scope(models.TextChoices):
        READ = "read", _("Lecture seule")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="access_tokens",
        verbose_name=_("personne"),
    )
    name = models.CharField(
        _("nom"), max_length=100, help_text=_("Pour le reconnaître : « Tableau de bord Metabase »…")
    )
    prefix = models.CharField(_("préfixe visible"), max_length=PREFIX_LENGTH, unique=True)
    secret_hash = models.CharField(_("empreinte SHA-256 du secret"), max_length=64, unique=True)
    scope = models.CharField(_("portée"), max_length=10, choices=Scope, default=Scope.READ)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now, db_index=True)
    expires_at = models.DateTimeField(_("expire le"))
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("révoqué par"),
    )

    objects = AccessTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("jeton d’accès à l’API")
        verbose_name_plural = _("jetons d’accès à l’API")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at"))
                & Q(expires_at__lte=F("created_at") + MAX_LIFETIME),
                name="access_token_expires_within_a_year",
                violation_error_message=_("Un jeton expire au plus tard un an après sa création."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({SECRET_PREFIX}{self.prefix}_…)"

    @property
    def display_prefix(self) -> str:
        return f"{SECRET_PREFIX}{self.prefix}_…"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return not self.is_revoked and not self.is_expired

    def matches(self, secret: str) -> bool:
        return hmac.compare_digest(self.secret_hash, digest(secret))
