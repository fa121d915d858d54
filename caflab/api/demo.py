"""Demo data of the read API: a personal access token of the Isère's correspondent, already
used, so that the profile's "Accès à l’API" section shows one (its secret is not kept: create
another on the profile to try the API)."""

import datetime
from typing import TextIO

from django.utils import timezone

from caflab.accounts.models import User
from caflab.api.models import AccessToken
from caflab.api.services import token_create

NAME = "Tableau de bord Metabase de la Caf"


def seed(stdout: TextIO) -> None:
    user = User.objects.filter(email="correspondant.isere@caflab.demo").first()
    if user is None or AccessToken.objects.filter(user=user, name=NAME).exists():
        return
    token, _secret = token_create(user=user, name=NAME, lifetime=datetime.timedelta(days=180))
    AccessToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    stdout.write("  jeton d’accès à l’API de démonstration : 1")
