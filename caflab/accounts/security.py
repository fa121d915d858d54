"""Protecting accounts: how django-axes counts failed logins, and the password-reset request.

Login. Axes records each failure under (account, address) and locks that pair after
AXES_FAILURE_LIMIT failures (5 in 15 minutes). On top, `LoginAttemptsHandler` sums the failures
against one account from every address: past LOGIN_ACCOUNT_FAILURE_LIMIT (20 in the same 15
minutes) the account takes no password attempt from anywhere, so guessing it from many
addresses stops too. Axes cannot express this itself: its one failure limit applies to every
combination of lockout parameters alike.

What axes stores as the "username" is `axes_username`: a keyed hash of the account and its
current password hash (of the typed address, for an unknown one). So no e-mail address is
written in the attempts table, and choosing a new password through the reset link starts a
fresh count: the owner of a locked account gets back in by resetting, the guesser does not.

Password reset. Requests are rate-limited per address and per account; the visitor sees the
same page in every case (known or unknown address, limited or not); the e-mail is sent by a
task given the user's id, which builds the link itself (nothing stored).
"""

import hashlib
import hmac
from urllib.parse import urlsplit

from axes.attempts import get_cool_off_threshold
from axes.conf import settings as axes_settings
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db.models import Sum
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from caflab.accounts.models import User
from caflab.core.mail import MailAction, mail_build
from caflab.core.queueing import enqueue_on_commit
from caflab.core.ratelimit import address_identity, rate_limit_hit

LOGIN_ACCOUNT_FAILURE_LIMIT = 20
PASSWORD_RESET_RATE_LIMIT_PER_ADDRESS = 5
PASSWORD_RESET_RATE_LIMIT_PER_ACCOUNT = 3
PASSWORD_RESET_RATE_WINDOW = 60 * 60
RESET_MAIL_TEMPLATE = "registration/password_reset_email.txt"
RESET_SUBJECT_TEMPLATE = "registration/password_reset_subject.txt"


# --- login -------------------------------------------------------------------------------------


def axes_client_str(
    username: str, ip_address: str, user_agent: str, path_info: str, request: HttpRequest
) -> str:
    """A log label for a login client with no personal data: the e-mail and IP are hashed, so
    repeated attempts can still be correlated in the logs without revealing who or where."""
    digest = hashlib.sha256(f"{username}|{ip_address}".encode()).hexdigest()[:12]
    return f"client:{digest} path:{path_info}"


def axes_username(request: HttpRequest | None, credentials: dict | None) -> str | None:
    """What axes counts failures under (AXES_USERNAME_CALLABLE): a keyed hash of the account and
    its current password hash, or of the typed address when no account has it (unknown
    addresses are counted and locked alike: the lock tells nothing about who has an account)."""
    typed = (credentials or {}).get("username")
    if typed is None and request is not None:
        typed = getattr(request, "POST", {}).get("username")
    if not typed:
        return None
    email = str(typed).strip().lower()
    memo = getattr(request, "_axes_usernames", None) if request is not None else None
    if memo is not None and email in memo:
        return memo[email]
    account = User.objects.filter(email__iexact=email).values_list("pk", "password").first()
    subject = f"account:{account[0]}:{account[1]}" if account else f"email:{email}"
    key = (
        "login:"
        + hmac.new(settings.SECRET_KEY.encode(), subject.encode(), hashlib.sha256).hexdigest()[:40]
    )
    if request is not None:
        if memo is None:
            memo = {}
            request._axes_usernames = memo
        memo[email] = key
    return key


def account_failures(request: HttpRequest, credentials: dict | None) -> int:
    """Failed logins against this account in the cool-off window, from every address."""
    username = get_client_username(request, credentials)
    if not username:
        return 0
    total = AccessAttempt.objects.filter(
        username=username, attempt_time__gte=get_cool_off_threshold(request)
    ).aggregate(total=Sum("failures_since_start"))["total"]
    return total or 0


def account_locked(request: HttpRequest, credentials: dict | None) -> bool:
    limit = getattr(settings, "LOGIN_ACCOUNT_FAILURE_LIMIT", LOGIN_ACCOUNT_FAILURE_LIMIT)
    return account_failures(request, credentials) >= limit


class LoginAttemptsHandler(AxesDatabaseHandler):
    """Axes' database handler (the per account-and-address lock) plus the per-account lock."""

    def is_locked(self, request: HttpRequest, credentials: dict | None = None) -> bool:
        return super().is_locked(request, credentials) or (
            axes_settings.AXES_LOCK_OUT_AT_FAILURE and account_locked(request, credentials)
        )

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        if (
            request is None
            or getattr(request, "axes_locked_out", False)
            or not axes_settings.AXES_LOCK_OUT_AT_FAILURE
            or self.is_whitelisted(request, credentials)
        ):
            return
        if account_locked(request, credentials):
            # The middleware turns the flag into the lockout page, as for axes' own lock.
            request.axes_locked_out = True
            request.axes_credentials = credentials


# --- password reset ----------------------------------------------------------------------------


def password_reset_request(*, email: str, client_ip: str | None) -> None:
    """Mail a reset link to the active account of `email`, if there is one and neither this
    address nor this account asked too often. The caller shows the same page in every case."""
    from caflab.accounts import tasks

    email = email.strip().lower()
    window = getattr(settings, "PASSWORD_RESET_RATE_WINDOW", PASSWORD_RESET_RATE_WINDOW)
    if rate_limit_hit(
        "accounts:password-reset:address",
        address_identity(client_ip),
        limit=getattr(
            settings,
            "PASSWORD_RESET_RATE_LIMIT_PER_ADDRESS",
            PASSWORD_RESET_RATE_LIMIT_PER_ADDRESS,
        ),
        window=window,
    ):
        return
    # Counted by the typed address, known or not, so that limiting tells nothing either.
    if rate_limit_hit(
        "accounts:password-reset:account",
        f"email:{email}",
        limit=getattr(
            settings,
            "PASSWORD_RESET_RATE_LIMIT_PER_ACCOUNT",
            PASSWORD_RESET_RATE_LIMIT_PER_ACCOUNT,
        ),
        window=window,
    ):
        return
    for user_id in User.objects.filter(email__iexact=email, is_active=True).values_list(
        "pk", flat=True
    ):
        enqueue_on_commit(tasks.send_password_reset, user_id)


def password_reset_send(*, user_id: int) -> bool:
    """Mail the reset link of `user_id` (sent by tasks.py). The token is Django's: made of the
    password hash and last login, it dies once used and is never stored."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password():
        return False
    site = urlsplit(settings.SITE_URL)
    context = {
        "email": user.email,
        "user": user,
        "domain": site.netloc,
        "site_name": "CafLab",
        "protocol": site.scheme or "https",
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }
    subject = "".join(render_to_string(RESET_SUBJECT_TEMPLATE, context).splitlines())
    reset_url = settings.SITE_URL + reverse(
        "accounts:password-reset-confirm",
        kwargs={"uidb64": context["uid"], "token": context["token"]},
    )
    mail_build(
        subject=subject,
        text=render_to_string(RESET_MAIL_TEMPLATE, context),
        to=[user.email],
        reason=_(
            "une réinitialisation du mot de passe de votre compte CafLab a été demandée. "
            "Si vous n’en êtes pas à l’origine, ignorez ce message."
        ),
        action=MailAction(_("Choisir un nouveau mot de passe"), reset_url),
    ).send()
    return True
