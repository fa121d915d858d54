"""Demo notifications: a welcome message to every demo account, sent through notify()."""

from typing import TextIO

from django.urls import reverse

from caflab.accounts.demo import DEMO_ACCOUNTS
from caflab.accounts.models import User
from caflab.notifications.models import Notification
from caflab.notifications.services import notify

WELCOME = "account.welcome"


def seed(stdout: TextIO) -> None:
    emails = [email for email, *_ in DEMO_ACCOUNTS]
    already = Notification.objects.filter(kind=WELCOME).values("recipient")
    recipients = User.objects.filter(email__in=emails).exclude(pk__in=already)
    created = notify(
        recipients=recipients,
        kind=WELCOME,
        title="Bienvenue sur CafLab",
        body="Votre compte de démonstration est prêt. Réglez vos e-mails de notification "
        "dans votre profil.",
        url=reverse("accounts:profile"),
    )
    stdout.write(f"  notifications de bienvenue : {len(created)}")
