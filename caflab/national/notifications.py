"""Notifications for a few thousand users (the benchmark's accounts among them)."""

import random

from caflab.national.accounts import People
from caflab.national.bulk import bulk, days_ago, sized
from caflab.notifications.models import Notification

KINDS = (
    ("idea.status_changed", "Votre idée a changé de statut", "/projets/idees/"),
    ("project.stage_changed", "Un projet que vous suivez a changé d'étape", "/projets/"),
    ("initiative.comment", "Nouveau commentaire sur une initiative", "/criees/"),
    ("consultation.opened", "Une consultation est ouverte", "/ecoute/"),
)


def seed(rng: random.Random, scale: float, people: People) -> int:
    # The first account of each role (the benchmark signs in with them) gets a full centre.
    firsts = [
        people.lab[0],
        people.moderators[0],
        people.directorate[0],
        people.partners[0],
        people.citizens[0],
        people.agents[0],
        *next(iter(people.correspondents.values()))[:1],
    ]
    others = rng.sample(people.network, min(len(people.network), sized(4000, scale, 5)))
    rows = []
    for user in dict.fromkeys(firsts + others):
        for _ in range(120 if user in firsts else rng.randint(1, 6)):
            kind, title, url = rng.choice(KINDS)
            created = days_ago(rng, 0, 300)
            rows.append(
                Notification(
                    recipient_id=user,
                    actor_id=rng.choice(people.lab),
                    kind=kind,
                    title=title,
                    url=url,
                    created_at=created,
                    read_at=created if rng.random() < 0.6 else None,
                )
            )
    bulk(Notification, rows)
    return len(rows)
