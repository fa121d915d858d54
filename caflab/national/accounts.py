"""National accounts: 30,000 agents and the other roles, all `…@national.caflab.test`, sharing
one password hash (hashing 30,000 passwords would take minutes)."""

import random
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password

from caflab.accounts.models import Role, User
from caflab.national.bulk import DOMAIN, NOW, bulk, days_ago, sized
from caflab.network.models import Caf, Directorate, Partner

PASSWORD = "caflab-national-2026"  # noqa: S105 -- a benchmark dataset, never in production
PARTNER_PREFIX = "Partenaire national "

FIRST_NAMES = [
    "Camille",
    "Léa",
    "Manon",
    "Chloé",
    "Inès",
    "Jade",
    "Louise",
    "Emma",
    "Alice",
    "Sarah",
    "Lucas",
    "Hugo",
    "Louis",
    "Nathan",
    "Gabriel",
    "Jules",
    "Arthur",
    "Adam",
    "Raphaël",
    "Paul",
    "Nicolas",
    "Julie",
    "Sophie",
    "Thomas",
    "Claire",
    "Marc",
    "Anne",
    "Pierre",
    "Marie",
]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Thomas",
    "Petit",
    "Robert",
    "Richard",
    "Durand",
    "Dubois",
    "Moreau",
    "Laurent",
    "Simon",
    "Michel",
    "Lefebvre",
    "Leroy",
    "Roux",
    "David",
    "Bertrand",
    "Morel",
    "Fournier",
    "Girard",
    "Bonnet",
    "Dupont",
    "Lambert",
    "Fontaine",
]


@dataclass
class People:
    lab: list[int] = field(default_factory=list)
    correspondents: dict[int, list[int]] = field(default_factory=dict)  # caf id → users
    agents: list[int] = field(default_factory=list)
    agent_caf: dict[int, int] = field(default_factory=dict)  # agent or correspondent → caf
    directorate: list[int] = field(default_factory=list)
    moderators: list[int] = field(default_factory=list)
    partners: list[int] = field(default_factory=list)
    citizens: list[int] = field(default_factory=list)
    cafs: list[int] = field(default_factory=list)

    @property
    def network(self) -> list[int]:
        return self.agents + [u for users in self.correspondents.values() for u in users]


def seed(rng: random.Random, scale: float) -> People:
    cafs = list(Caf.objects.order_by("position").values_list("pk", flat=True))
    directorates = list(Directorate.objects.values_list("pk", flat=True))
    organisations = bulk(
        Partner,
        (
            Partner(
                name=f"{PARTNER_PREFIX}{n}",
                kind=rng.choice(Partner.Kind.values),
                caf_id=rng.choice(cafs),
                website=f"https://partenaire-{n}.national.caflab.test",
            )
            for n in range(1, 11)
        ),
    )
    password = make_password(PASSWORD)
    users: list[User] = []
    roles: list[tuple[str, int | None]] = []

    def add(email: str, role: str, **extra) -> None:
        users.append(
            User(
                email=f"{email}{DOMAIN}",
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
                role=role,
                password=password,
                date_joined=days_ago(rng, 30, 2000),
                last_login=days_ago(rng, 0, 60) if rng.random() < 0.7 else None,
                **extra,
            )
        )
        roles.append((role, extra.get("caf_id")))

    for n in range(1, 21):
        add(f"labo.{n}", Role.LAB_STAFF)
    for n in range(1, 11):
        add(f"moderation.{n}", Role.MODERATOR)
    for n in range(1, sized(200, scale, 2) + 1):
        add(f"direction.{n}", Role.DIRECTORATE, directorate_id=directorates[n % len(directorates)])
    for n, organisation in enumerate(organisations * 2, start=1):
        add(f"partenaire.{n}", Role.PARTNER, partner_id=organisation.pk)
    for position, caf in enumerate(cafs[: sized(101, scale, 2)], start=1):
        for n in range(1, rng.randint(1, 3) + 1):
            add(f"correspondant.{position}.{n}", Role.CORRESPONDENT, caf_id=caf)
    # Agents are spread over the Caf roughly like their staff: a few big Caf, a long tail.
    weights = [1 + 9 * rng.random() ** 3 for _ in cafs]
    for n in range(1, sized(29_540, scale, 10) + 1):
        add(f"agent.{n}", Role.AGENT, caf_id=rng.choices(cafs, weights)[0])
    for n in range(1, sized(200, scale, 2) + 1):
        add(f"citoyen.{n}", Role.CITIZEN, email_verified_at=NOW)
    created = bulk(User, users)

    people = People(cafs=cafs)
    for user, (role, caf) in zip(created, roles, strict=True):
        if role == Role.LAB_STAFF:
            people.lab.append(user.pk)
        elif role == Role.MODERATOR:
            people.moderators.append(user.pk)
        elif role == Role.DIRECTORATE:
            people.directorate.append(user.pk)
        elif role == Role.PARTNER:
            people.partners.append(user.pk)
        elif role == Role.CORRESPONDENT:
            people.correspondents.setdefault(caf, []).append(user.pk)
            people.agent_caf[user.pk] = caf
        elif role == Role.AGENT:
            people.agents.append(user.pk)
            people.agent_caf[user.pk] = caf
        else:
            people.citizens.append(user.pk)
    return people
