"""Citizens create their own account: an e-mail address, a password and consent to the privacy
notice. The account stays inactive until the signed link mailed to the address is followed
(valid 3 days, single use: it only works while the account is pending).

No account enumeration: whether the address is new, pending or already taken, the visitor sees
the same message; the mailbox's owner gets the right e-mail (a link to confirm, or a reminder
that an account exists with a link to reset the password). Sign-ups are rate-limited per
connection through the cache, like anonymous answers.
"""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caflab.accounts.models import Role, User
from caflab.core import errors
from caflab.core.mail import MailAction, mail_build
from caflab.core.queueing import enqueue_on_commit
from caflab.core.ratelimit import address_identity, rate_limit_hit

VERIFICATION_SALT = "accounts.signup-verification"
VERIFICATION_MAX_AGE = 60 * 60 * 24 * 3
SIGNUP_RATE_LIMIT = 5
SIGNUP_RATE_WINDOW = 60 * 60


class VerificationFailed(errors.DomainError):
    """The link is tampered with, expired, or its account is no longer pending."""


class AlreadyVerified(VerificationFailed):
    """The link was already followed: the account is active."""


# --- the form ----------------------------------------------------------------------------------


class SignupForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Adresse e-mail"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=gettext_lazy("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy("12 caractères au moins, pas uniquement des chiffres."),
    )
    password2 = forms.CharField(
        label=gettext_lazy("Confirmation du mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    accept_privacy = forms.BooleanField(
        label=gettext_lazy(
            "J’ai lu la politique de confidentialité et j’accepte que mon adresse e-mail soit "
            "conservée pour gérer mon compte."
        ),
        required=True,
        error_messages={
            "required": gettext_lazy(
                "Cochez la case pour accepter la politique de confidentialité."
            )
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Créer mon compte")))

    def clean_email(self) -> str:
        return User.objects.normalize_email(self.cleaned_data["email"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("Les deux mots de passe ne sont pas identiques."))
        elif first:
            try:
                validate_password(first, User(email=data.get("email", ""), role=Role.CITIZEN))
            except ValidationError as error:
                self.add_error("password1", error)
        return data


class ResendForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Adresse e-mail"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Renvoyer le lien")))


# --- rate limit --------------------------------------------------------------------------------


def signup_rate_limit_hit(client_ip: str | None) -> bool:
    """Count one sign-up (or resend) from `client_ip`; True past the limit. A cache outage lets
    sign-ups through (see caflab.core.ratelimit)."""
    return rate_limit_hit(
        "accounts:signup",
        address_identity(client_ip),
        limit=getattr(settings, "SIGNUP_RATE_LIMIT", SIGNUP_RATE_LIMIT),
        window=getattr(settings, "SIGNUP_RATE_WINDOW", SIGNUP_RATE_WINDOW),
    )


# --- the flow ----------------------------------------------------------------------------------


def is_pending(user: User) -> bool:
    """A self-registered account waiting for its address to be confirmed (never confirmed, never
    used: an account an administrator deactivated is not pending and is never re-activated)."""
    return (
        user.role == Role.CITIZEN
        and not user.is_active
        and user.email_verified_at is None
        and user.last_login is None
    )


@transaction.atomic
def signup_request(*, email: str, password: str) -> None:
    """Create a pending citizen account for `email` and mail its confirmation link; or, when the
    address is known, mail what fits (the link again, or "you already have an account"). The
    caller shows the same message in every case."""
    from caflab.accounts import tasks

    email = User.objects.normalize_email(email)
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, role=Role.CITIZEN, is_active=False)
        user.set_password(password)
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:  # the same address, signed up twice at once
            return
        enqueue_on_commit(tasks.send_signup_verification, user.pk)
    elif is_pending(user):
        # The first password stays: whoever signs up again with someone's address cannot set
        # the password of the account its owner will confirm.
        enqueue_on_commit(tasks.send_signup_verification, user.pk)
    elif user.is_active:
        enqueue_on_commit(tasks.send_signup_existing, user.pk)


def signup_resend(*, email: str) -> None:
    """Mail the confirmation link again, if `email` names a pending account (silently not)."""
    from caflab.accounts import tasks

    user = User.objects.filter(email=User.objects.normalize_email(email)).first()
    if user is not None and is_pending(user):
        enqueue_on_commit(tasks.send_signup_verification, user.pk)


def verification_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "e": user.email}, salt=VERIFICATION_SALT, compress=True)


def verification_url(user: User) -> str:
    path = reverse("accounts:signup-verify", kwargs={"token": verification_token(user)})
    return f"{settings.SITE_URL}{path}"


def signup_verify(*, token: str, now: Any = None) -> User:
    """Follow a confirmation link: activate its pending account. Raises VerificationFailed
    (tampered, expired, unknown) or AlreadyVerified (used already)."""
    try:
        data = signing.loads(token, salt=VERIFICATION_SALT, max_age=VERIFICATION_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise VerificationFailed(
            _("Ce lien a expiré : demandez-en un nouveau ci-dessous.")
        ) from exc
    except signing.BadSignature as exc:
        raise VerificationFailed(_("Ce lien n’est pas valide.")) from exc
    if not isinstance(data, dict):
        raise VerificationFailed(_("Ce lien n’est pas valide."))
    user = User.objects.filter(pk=data.get("u"), email=data.get("e")).first()
    if user is None:
        raise VerificationFailed(_("Ce lien n’est pas valide."))
    if user.email_verified_at is not None:
        raise AlreadyVerified(_("Votre adresse est déjà confirmée : connectez-vous."))
    if not is_pending(user):
        raise VerificationFailed(_("Ce lien n’est pas valide."))
    # A conditional UPDATE: of two clicks at once, one activates.
    activated = User.objects.filter(
        pk=user.pk, is_active=False, email_verified_at__isnull=True
    ).update(is_active=True, email_verified_at=now or timezone.now())
    if not activated:
        raise AlreadyVerified(_("Votre adresse est déjà confirmée : connectez-vous."))
    user.refresh_from_db()
    return user


# --- the e-mails (sent by tasks.py, which pass ids only) ---------------------------------------


def verification_send(*, user_id: int) -> bool:
    user = User.objects.filter(pk=user_id).first()
    if user is None or not is_pending(user):
        return False
    context = {
        "url": verification_url(user),
        "days": VERIFICATION_MAX_AGE // 86400,
        "site_url": settings.SITE_URL,
    }
    mail_build(
        subject=_("Confirmez votre adresse pour créer votre compte CafLab"),
        text=render_to_string("accounts/signup_verification_email.txt", context),
        to=[user.email],
        reason=_("cette adresse a été indiquée pour créer un compte CafLab."),
        action=MailAction(_("Confirmer mon adresse"), context["url"]),
    ).send()
    return True


def existing_account_send(*, user_id: int) -> bool:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    context = {
        "login_url": settings.SITE_URL + reverse("accounts:login"),
        "reset_url": settings.SITE_URL + reverse("accounts:password-reset"),
        "site_url": settings.SITE_URL,
    }
    mail_build(
        subject=_("Vous avez déjà un compte CafLab"),
        text=render_to_string("accounts/signup_existing_email.txt", context),
        to=[user.email],
        reason=_("quelqu’un a demandé à créer un compte CafLab avec cette adresse."),
        action=MailAction(_("Me connecter"), context["login_url"]),
    ).send()
    return True
