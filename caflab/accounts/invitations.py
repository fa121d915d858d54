"""Invitations: an account created by an import or an administrator has no password; its owner
is mailed a link to choose one (or, when the agents' identity provider is configured, to sign in
with it).

The link holds a token built like Django's password-reset token, with its own key salt and a
14-day validity. Nothing is stored: the token is a hash of the account's password hash, last
login and invitation date, so it stops working once the password is set (single use), once the
person signs in, and when a newer invitation is sent.
"""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes, force_str
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from caflab.accounts.models import User
from caflab.notifications.queueing import enqueue_on_commit

INVITATION_DAYS = 14


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "caflab.accounts.invitations.InvitationTokenGenerator"
    timeout = INVITATION_DAYS * 24 * 60 * 60

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        # The invitation date is part of the hash: sending a new invitation voids the older.
        invited = "" if user.invited_at is None else int(user.invited_at.timestamp())
        return f"{super()._make_hash_value(user, timestamp)}{invited}"

    def check_token(self, user: User | None, token: str | None) -> bool:
        """As Django's, with this generator's own validity instead of PASSWORD_RESET_TIMEOUT."""
        if not (user and token):
            return False
        try:
            ts_b36, _hash = token.split("-")
            timestamp = base36_to_int(ts_b36)
        except ValueError:
            return False
        for secret in [self.secret, *self.secret_fallbacks]:
            expected = self._make_token_with_timestamp(user, timestamp, secret)
            if constant_time_compare(expected, token):
                break
        else:
            return False
        return self._num_seconds(self._now()) - timestamp <= self.timeout


invitation_tokens = InvitationTokenGenerator()


def may_be_invited(user: User) -> bool:
    """An active account that has never had a password of its own."""
    return user.is_active and not user.has_usable_password() and not user.is_erased


def invitation_url(user: User) -> str:
    path = reverse(
        "accounts:invitation",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": invitation_tokens.make_token(user),
        },
    )
    return settings.SITE_URL + path


def agents_sso_configured() -> bool:
    return bool(settings.SSO_PROVIDERS.get("agents", {}).get("discovery_url"))


def invitation_user(uidb64: str, token: str) -> User | None:
    """The account a link invites, or None when the link is unknown, used or expired."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    user = User.objects.filter(pk=pk).first()
    if user is None or not may_be_invited(user) or not invitation_tokens.check_token(user, token):
        return None
    return user


def invitation_send(*, user_id: int) -> bool:
    """Mail `user_id` its invitation (called by the task, ids only). The invitation date is set
    first: the link is built from it."""
    user = User.objects.filter(pk=user_id).first()
    if user is None or not may_be_invited(user):
        return False
    user.invited_at = timezone.now().replace(microsecond=0)
    User.objects.filter(pk=user.pk).update(invited_at=user.invited_at)
    context = {
        "user": user,
        "url": invitation_url(user),
        "days": INVITATION_DAYS,
        "sso_label": settings.SSO_PROVIDERS["agents"]["label"] if agents_sso_configured() else "",
        "login_url": settings.SITE_URL + reverse("accounts:login"),
        "site_url": settings.SITE_URL,
    }
    send_mail(
        subject=_("Votre compte CafLab vous attend"),
        message=render_to_string("accounts/invitation_email.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )
    return True


def invitations_queue(users: list[User]) -> int:
    """Queue the invitation of each account that may be invited (after the commit); the number
    queued."""
    from caflab.accounts import tasks

    invited = [user for user in users if may_be_invited(user)]
    for user in invited:
        enqueue_on_commit(tasks.send_invitation, user.pk)
    return len(invited)
