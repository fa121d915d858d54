"""Criées at national scale: 5,000 initiatives (mostly published) with supports, comments and
interest declarations, and four criée events with their programmes."""

import datetime
import random

from caflab.national.accounts import People
from caflab.national.bulk import NOW, bulk, days_ago, sized, through, zipf_weights
from caflab.network.models import Theme
from criees.models import (
    Comment,
    Criee,
    Initiative,
    InitiativeMember,
    InitiativeStatusChange,
    InterestDeclaration,
    Pitch,
    Public,
    Support,
)
from projects.models import Project, Stage

TITLE_PREFIX = "Initiative locale"
CRIEE_PREFIX = "Criée nationale"


def seed(rng: random.Random, scale: float, people: People, projects: list[Project]) -> None:
    themes = list(Theme.objects.values_list("pk", flat=True))
    publics = list(Public.objects.values_list("pk", flat=True))
    count = sized(5000, scale, 8)
    statuses = rng.choices(["published", "draft", "submitted", "returned"], [85, 5, 5, 5], k=count)
    statuses[:4] = ["published", "draft", "submitted", "returned"]
    promotable = iter([p for p in projects if p.stage == Stage.ESSAIMAGE][: sized(100, scale)])
    initiatives = []
    for n, status in enumerate(statuses, start=1):
        caf = rng.choice(people.cafs)
        team = people.correspondents.get(caf) or people.lab
        created = days_ago(rng, 10, 1200)
        published = status == "published"
        project = next(promotable, None) if published and rng.random() < 0.1 else None
        initiatives.append(
            Initiative(
                title=f"{TITLE_PREFIX} n°{n} : accueil et accompagnement des familles",
                summary="Une équipe de Caf a réinventé l'accueil des familles avec elles.",
                problem="Des files d'attente et des démarches incomprises.",
                actions="Des rendez-vous proactifs et un accueil sans rendez-vous le mercredi.",
                results="Moins de réclamations et des droits ouverts plus tôt.",
                caf_id=caf,
                status=status,
                status_changed_at=created,
                published_at=created if published else None,
                return_comment="Précisez les résultats." if status == "returned" else "",
                created_by_id=rng.choice(team),
                project=project,
                promoted_at=created if project else None,
                promoted_by_id=rng.choice(people.lab) if project else None,
            )
        )
    initiatives = bulk(Initiative, initiatives)
    through(
        Initiative.themes.field, ((i.pk, t) for i in initiatives for t in rng.sample(themes, 2))
    )
    through(
        Initiative.publics.field, ((i.pk, p) for i in initiatives for p in rng.sample(publics, 1))
    )
    bulk(
        InitiativeMember,
        (InitiativeMember(initiative=i, user_id=i.created_by_id, role="lead") for i in initiatives),
    )
    bulk(
        InitiativeStatusChange,
        (
            InitiativeStatusChange(
                initiative=i,
                from_status=previous,
                to_status=status,
                changed_at=i.status_changed_at,
                changed_by_id=i.created_by_id,
                comment=i.return_comment if status == "returned" else "",
            )
            for i in initiatives
            for previous, status in {
                "draft": [("", "draft")],
                "submitted": [("", "draft"), ("draft", "submitted")],
                "published": [("", "draft"), ("draft", "submitted"), ("submitted", "published")],
                "returned": [("", "draft"), ("draft", "submitted"), ("submitted", "returned")],
            }[i.status]
        ),
    )

    published = [i.pk for i in initiatives if i.status == "published"]
    rng.shuffle(published)
    weights = zipf_weights(len(published), 0.7)
    agents = people.network
    pairs: set[tuple[int, int]] = set()
    target = sized(25_000, scale, 10)
    while len(pairs) < target:
        for initiative in rng.choices(published, weights, k=target - len(pairs)):
            pairs.add((initiative, rng.choice(agents)))
    bulk(
        Support,
        (Support(initiative_id=i, user_id=u, created_at=days_ago(rng, 0, 900)) for i, u in pairs),
    )
    comments = bulk(
        Comment,
        (
            Comment(
                initiative_id=initiative,
                author_id=rng.choice(agents),
                text="Nous aimerions en savoir plus sur les moyens mobilisés.",
                status=rng.choices(["visible", "pending", "hidden"], [95, 3, 2])[0],
            )
            for initiative in rng.choices(published, weights, k=sized(10_000, scale, 5))
        ),
    )
    bulk(
        Comment,
        (
            Comment(
                initiative_id=c.initiative_id,
                parent=c,
                author_id=rng.choice(agents),
                text="Volontiers, écrivez-nous.",
            )
            for c in comments[::5]
        ),
    )
    interests: dict[tuple[int, int], str] = {}
    target = sized(8000, scale, 5)
    while len(interests) < target:
        key = (rng.choices(published, weights)[0], rng.choice(people.cafs))
        interests[key] = rng.choices(["curious", "contact", "replicate"], [5, 3, 2])[0]
    bulk(
        InterestDeclaration,
        (
            InterestDeclaration(
                initiative_id=i,
                caf_id=caf,
                level=level,
                declared_by_id=rng.choice(people.correspondents.get(caf) or people.lab),
            )
            for (i, caf), level in interests.items()
        ),
    )

    # Four criées: one followed up, one held, one on the day (programme closed, a pitch on
    # screen) and one open for proposals.
    criees = []
    for n, (status, days) in enumerate(
        [("followed_up", -200), ("held", -60), ("closed", 0), ("open", 45)], start=1
    ):
        criees.append(
            Criee(
                title=f"{CRIEE_PREFIX} n°{n}",
                description="Des initiatives de tout le réseau, en quelques minutes chacune.",
                starts_at=NOW + datetime.timedelta(days=days),
                format="online",
                online_url="https://visio.national.caflab.test/criee",
                status=status,
                status_changed_at=NOW + datetime.timedelta(days=min(days, 0)),
                follow_up_summary="Trois initiatives promues." if status == "followed_up" else "",
                created_by_id=rng.choice(people.lab),
            )
        )
    criees = bulk(Criee, criees)
    pitches = []
    for criee in criees:
        chosen = rng.sample(published, min(len(published), 18))
        for position, initiative in enumerate(chosen, start=1):
            proposed = criee.status == "open" and position > 12
            pitches.append(
                Pitch(
                    criee=criee,
                    initiative_id=initiative,
                    status="proposed" if proposed else "scheduled",
                    position=None if proposed else position,
                    proposed_by_id=rng.choice(people.lab),
                    decision=rng.choice(["promote", "connect", "watch", "none"])
                    if criee.status == "followed_up"
                    else "",
                )
            )
    pitches = bulk(Pitch, pitches)
    live = criees[2]
    live.current_pitch = next(p for p in pitches if p.criee_id == live.pk)
    live.save(update_fields=["current_pitch"])
