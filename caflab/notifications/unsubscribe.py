"""Stopping notification e-mails from the mail itself (RFC 2369 and RFC 8058).

Every mail a preference governs (a notification, a digest) carries a link signed for its
recipient and its kind: `List-Unsubscribe: <…/notifications/desabonnement/<token>/>`, which mail
clients offer as a one-click button (they POST without a session or CSRF token: the signature
is the proof), and the same link in the mail's footer, which opens a page asking to confirm.

The token carries the account's id and the kind of mail, never the address, and expires after
UNSUBSCRIBE_MAX_AGE. Turning e-mail off sets the account's one preference (`email_frequency`) to
"never": what concerns the person's own contributions is still sent, as the profile says.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.urls import reverse

from caflab.accounts.models import EmailFrequency, User
from caflab.notifications.models import OutboxMail

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "caflab.notifications.unsubscribe"
UNSUBSCRIBE_MAX_AGE = timedelta(days=60)
KINDS = frozenset(OutboxMail.Kind.values)


@dataclass(frozen=True)
class UnsubscribeRequest:
    user: User
    kind: str


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"No unsubscribe link for mails of kind {kind!r}.")
    return signing.dumps({"u": user_id, "k": kind}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(*, user_id: int, kind: str) -> str:
    token = unsubscribe_token(user_id=user_id, kind=kind)
    return settings.SITE_URL + reverse("notifications:unsubscribe", kwargs={"token": token})


def unsubscribe_request_for(token: str) -> UnsubscribeRequest | None:
    """What a link asks for, or None when it is tampered with, expired, or its account is gone
    or deactivated."""
    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    if not isinstance(payload, dict):
        return None
    user_id, kind = payload.get("u"), payload.get("k")
    if not isinstance(user_id, int) or kind not in KINDS:
        return None
    user = get_user_model().objects.active().filter(pk=user_id).first()
    if user is None:
        return None
    return UnsubscribeRequest(user=user, kind=kind)


def is_unsubscribed(user: User) -> bool:
    return user.email_frequency == EmailFrequency.NEVER


def email_notifications_stop(*, user: User, kind: str) -> bool:
    """Turn `user`'s notification e-mails off (immediate ones and digests alike: the preference
    is one choice). False if they were already off. One conditional UPDATE: two clicks at once
    change it once."""
    changed = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .exclude(email_frequency=EmailFrequency.NEVER)
        .update(email_frequency=EmailFrequency.NEVER)
    )
    user.email_frequency = EmailFrequency.NEVER
    if changed:
        # The kind only: no id nor address in the logs.
        logger.info("Notification e-mails turned off from an unsubscribe link (%s mail).", kind)
    return bool(changed)
