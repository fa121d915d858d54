"""Demo accounts: one per role, in two Caf (Isère and Rhône) so cross-Caf rules can be tried."""

from typing import TextIO

from django.conf import settings

from caflab.accounts.models import Role, SsoIdentity, User
from caflab.network.models import Caf, CafSiret, Directorate, Partner

# Fictitious, like every demo datum; tests/oidc_provider.py's demo agent carries it.
DEMO_ISERE_SIRET = "53466780500017"

# (e-mail, first name, last name, role, Caf code)
DEMO_ACCOUNTS = [
    ("labo@caflab.demo", "Lina", "Moreau", Role.LAB_STAFF, None),
    ("admin@caflab.demo", "Adam", "Garnier", Role.ADMIN, None),
    ("moderation@caflab.demo", "Maëlle", "Roux", Role.MODERATOR, None),
    ("correspondant.isere@caflab.demo", "Claire", "Bonnet", Role.CORRESPONDENT, "38"),
    ("agent.isere@caflab.demo", "Yanis", "Fontaine", Role.AGENT, "38"),
    ("correspondant.rhone@caflab.demo", "Hugo", "Mercier", Role.CORRESPONDENT, "69"),
    ("agent.rhone@caflab.demo", "Sarah", "Lambert", Role.AGENT, "69"),
    ("direction@caflab.demo", "Denis", "Faure", Role.DIRECTORATE, None),
    ("partenaire@caflab.demo", "Pauline", "Chevalier", Role.PARTNER, None),
    ("citoyen@caflab.demo", "Camille", "Petit", Role.CITIZEN, None),
    # Signed in through the identity provider from an unknown organisation: the Isère's
    # correspondent finds them under "Comptes à rattacher".
    ("en.attente@caflab.demo", "Noé", "Perrin", Role.PENDING, None),
]


def seed(stdout: TextIO) -> None:
    isere = Caf.objects.get(code="38")
    directorate = Directorate.objects.order_by("pk").first()
    partner, _ = Partner.objects.get_or_create(
        name="Association Parents en Isère",
        caf=isere,
        defaults={"kind": Partner.Kind.ASSOCIATION},
    )
    for email, first_name, last_name, role, caf_code in DEMO_ACCOUNTS:
        user, created = User.objects.update_or_create(
            email=email,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "role": role,
                "caf": Caf.objects.get(code=caf_code) if caf_code else None,
                "directorate": directorate if role == Role.DIRECTORATE else None,
                "partner": partner if role == Role.PARTNER else None,
                "is_staff": role == Role.ADMIN,
                "is_superuser": role == Role.ADMIN,
            },
        )
        if created:
            user.set_password(settings.DEMO_PASSWORD)
            user.save(update_fields=["password"])
    pending = User.objects.get(email="en.attente@caflab.demo")
    SsoIdentity.objects.get_or_create(
        user=pending,
        provider=SsoIdentity.Provider.AGENTS,
        defaults={
            "subject": "demo-en-attente",
            "siret": "13000000000099",
            "organisation": "Antenne de Vienne",
        },
    )
    # The Isère Caf's SIRET as the demo identity provider sends it (make run-sso): its agents
    # are placed in the Isère at their first sign-in.
    CafSiret.objects.get_or_create(
        siret=DEMO_ISERE_SIRET, defaults={"caf": isere, "label": "Siège (démonstration)"}
    )
    stdout.write(f"  comptes de démonstration : {len(DEMO_ACCOUNTS)}")
