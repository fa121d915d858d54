"""Demo challenges and creativity sessions: two challenges (one judged, with its entries, the
jury's scores, a ranking and a winner turned into an idea; one open), six session requests from
the directorates at every status (one declined with its reason), and their sessions with the
ideas they produced.

Rows are written directly (not through the services) so that histories can be dated in the
past and no notification storm is sent; it runs once (skipped when challenges or session
requests exist). Called by projects.demo.seed, after the portfolio.
"""

import datetime
import random
from typing import TextIO

from django.utils import timezone

from caflab.accounts.models import Role, User
from caflab.network.models import Caf, Directorate
from caflab.notifications.services import follow
from ideas.models import (
    Challenge,
    ChallengeEntry,
    CreativitySession,
    EntryScore,
    Idea,
    IdeaStatusChange,
    SessionRequest,
    SessionRequestChange,
)
from projects.models import GateCriterion, Scorecard

RequestStatus = SessionRequest.Status
FLOW = [
    RequestStatus.REQUESTED,
    RequestStatus.QUALIFIED,
    RequestStatus.SCHEDULED,
    RequestStatus.HELD,
    RequestStatus.DEBRIEFED,
]

# (title, summary, team name) of the judged hackathon's entries, best first once scored.
HACKATHON_ENTRIES = [
    (
        "Déclaration trimestrielle en trois clics",
        "Préremplir la déclaration de ressources avec les données déjà connues (salaires, "
        "pensions) ; l'allocataire ne fait que confirmer ou corriger.",
        "Les Alpins",
    ),
    (
        "Rappel SMS la veille de l'échéance",
        "Un SMS la veille de la date limite, avec le lien direct vers la déclaration.",
        "Équipe Rhône",
    ),
    (
        "Déclaration accompagnée en visio",
        "Un créneau de visio avec un agent pour déclarer ensemble la première fois.",
        "Visio-Caf",
    ),
    (
        "Tutoriel vidéo en langue des signes",
        "Des tutoriels courts, sous-titrés et signés, pour chaque étape de la déclaration.",
        "Accessibles",
    ),
]
OPEN_CALL_ENTRIES = [
    (
        "Zéro papier pour les attestations",
        "Envoyer les attestations par l'espace personnel plutôt que par courrier.",
        "Caf verte",
    ),
    (
        "Covoiturage des agents itinérants",
        "Mutualiser les trajets des agents qui tiennent les permanences en territoire.",
        "",
    ),
]

# (kind, title, problem, expected participants, final status, decline reason)
REQUESTS = [
    (
        SessionRequest.Kind.SESSION,
        "Parcours des parents qui se séparent",
        "Les parents séparés déclarent plusieurs fois la même information à plusieurs "
        "organismes et perdent des droits pendant la transition.",
        "12 agents de Caf, 4 parents séparés, 2 partenaires (CPAM, associations)",
        RequestStatus.DEBRIEFED,
        "",
    ),
    (
        SessionRequest.Kind.SESSION,
        "Accueil des jeunes de 18 à 25 ans",
        "Les jeunes adultes connaissent mal leurs droits (prime d'activité, aide au logement) "
        "et viennent peu à l'accueil.",
        "8 agents, 6 jeunes, 2 missions locales",
        RequestStatus.HELD,
        "",
    ),
    (
        SessionRequest.Kind.ACCOMPANIMENT,
        "Courriers de relance compréhensibles",
        "Les courriers de relance génèrent des appels : un tiers des allocataires ne les "
        "comprennent pas.",
        "Rédacteurs des courriers, 5 allocataires",
        RequestStatus.SCHEDULED,
        "",
    ),
    (
        SessionRequest.Kind.SESSION,
        "Mieux repérer le non-recours au RSA",
        "Des foyers éligibles ne demandent pas le RSA ; comment aller vers eux ?",
        "Travailleurs sociaux, agents d'accueil",
        RequestStatus.QUALIFIED,
        "",
    ),
    (
        SessionRequest.Kind.CO_OWNERSHIP,
        "Co-portage : guichet unique petite enfance",
        "Les parents cherchent un mode de garde auprès de cinq interlocuteurs différents.",
        "",
        RequestStatus.REQUESTED,
        "",
    ),
    (
        SessionRequest.Kind.SESSION,
        "Refonte de l'intranet de la direction",
        "L'intranet de la direction est peu consulté par les agents du réseau.",
        "Équipe communication",
        RequestStatus.DECLINED,
        "La demande relève d'un projet de communication interne déjà lancé par la DSI ; "
        "nous vous mettons en relation avec son équipe.",
    ),
]

# Ideas produced by the held and debriefed sessions: (title, problem).
SESSION_IDEAS = {
    "Parcours des parents qui se séparent": [
        (
            "Un formulaire unique de séparation",
            "Les parents déclarent trois fois la même séparation (Caf, CPAM, impôts).",
        ),
        (
            "Rendez-vous commun Caf et CPAM",
            "Deux organismes, deux rendez-vous, des informations contradictoires.",
        ),
        (
            "Simulateur de droits après séparation",
            "Les droits changent après une séparation sans que les parents le sachent.",
        ),
        (
            "Médiation familiale proposée d'office",
            "La médiation familiale est peu connue au moment où elle serait utile.",
        ),
    ],
    "Accueil des jeunes de 18 à 25 ans": [
        (
            "Permanences Caf dans les missions locales",
            "Les jeunes vont en mission locale, pas à la Caf.",
        ),
        (
            "Parcours « premier logement » en ligne",
            "Les jeunes découvrent l'aide au logement après la signature du bail.",
        ),
        (
            "Ambassadeurs jeunes allocataires",
            "Le bouche-à-oreille entre jeunes fonctionne mieux que nos campagnes.",
        ),
    ],
}

METHODS = [
    CreativitySession.Method.DESIGN_THINKING,
    CreativitySession.Method.WORLD_CAFE,
    CreativitySession.Method.CO_DESIGN,
]


def seed(stdout: TextIO) -> None:
    if Challenge.objects.exists() or SessionRequest.objects.exists():
        stdout.write("  défis et séances : déjà présents")
        return
    rng = random.Random(2027)  # the same demo every time
    lab = User.objects.get(email="labo@caflab.demo")
    directorate_member = User.objects.filter(role=Role.DIRECTORATE).order_by("pk").first()
    agents = list(
        User.objects.filter(role__in=[Role.AGENT, Role.CORRESPONDENT]).order_by("pk")[:40]
    )
    correspondents = list(User.objects.filter(role=Role.CORRESPONDENT).order_by("pk")[:3])
    directorates = list(Directorate.objects.order_by("pk"))
    n_challenges = _seed_challenges(rng, lab=lab, agents=agents, jury=[lab, *correspondents])
    n_requests, n_sessions, n_ideas = _seed_sessions(
        rng,
        lab=lab,
        requester=directorate_member,
        directorates=directorates,
        agents=agents,
    )
    stdout.write(
        f"  défis et séances : {n_challenges} défis, {n_requests} demandes de séance, "
        f"{n_sessions} séances, {n_ideas + 1} idées issues des séances et du défi jugé"
    )


def _idea(*, author: User, title: str, problem: str, caf: Caf | None, **links) -> Idea:
    idea = Idea.objects.create(
        author=author, title=title, problem=problem, caf=author.caf or caf, **links
    )
    IdeaStatusChange.objects.create(
        idea=idea, to_status=idea.status, reason="Idée soumise.", changed_by=author
    )
    follow(user=author, obj=idea)
    return idea


def _seed_challenges(rng: random.Random, *, lab: User, agents: list[User], jury: list[User]):
    today = timezone.localdate()
    days = datetime.timedelta

    judged = Challenge.objects.create(
        title="Hackathon : la déclaration trimestrielle simplifiée",
        kind=Challenge.Kind.HACKATHON,
        brief="Comment rendre la déclaration trimestrielle de ressources (RSA, prime "
        "d'activité) plus simple et moins source d'indus ?",
        sponsor=Directorate.objects.order_by("pk").first(),
        audience=Challenge.Audience.AGENTS,
        submissions_open_on=today - days(90),
        submissions_close_on=today - days(60),
        judging_close_on=today - days(45),
        results_on=today - days(40),
        status=Challenge.Status.RESULTS_PUBLISHED,
        results_summary="Le jury retient la déclaration préremplie : elle supprime la "
        "principale cause d'erreur. Le rappel SMS est salué et pourra compléter le dispositif.",
        created_by=lab,
    )
    judged.jury.set(jury)
    criteria = [
        GateCriterion.objects.create(
            scorecard=Scorecard.CHALLENGE,
            challenge=judged,
            label=label,
            description=description,
            weight=weight,
            position=position,
        )
        for position, (label, description, weight) in enumerate(
            [
                ("Utilité pour les allocataires", "Ce que la proposition change pour eux.", 3),
                ("Faisabilité", "Réalisable avec nos outils et nos moyens.", 2),
                ("Originalité", "Une idée neuve dans le réseau.", 1),
            ],
            start=1,
        )
    ]
    winner = None
    for rank, (title, summary, team) in enumerate(HACKATHON_ENTRIES):
        submitter = agents[rank % len(agents)]
        entry = ChallengeEntry.objects.create(
            challenge=judged,
            title=title,
            summary=summary,
            team_name=team,
            submitted_by=submitter,
            is_winner=rank == 0,
        )
        entry.members.set({submitter, agents[(rank + 5) % len(agents)]})
        # Better entries first: the scores go down with the rank, with some noise.
        EntryScore.objects.bulk_create(
            EntryScore(
                entry=entry,
                criterion=criterion,
                reviewer=juror,
                score=max(1, min(5, 5 - rank + rng.choice([-1, 0, 0, 1]))),
            )
            for criterion in criteria
            for juror in jury
        )
        if rank == 0:
            winner = entry
    # The winner, re-examined by the lab, is now an idea of the box (not yet a project).
    members = list(winner.members.exclude(pk=winner.submitted_by_id))
    idea = _idea(
        author=winner.submitted_by,
        title=winner.title,
        problem=winner.summary,
        caf=None,
        source=Idea.Source.CHALLENGE,
        challenge=judged,
    )
    idea.co_authors.set(members)
    winner.idea = idea
    winner.save(update_fields=["idea"])

    open_call = Challenge.objects.create(
        title="Appel à idées : des Caf sobres et solidaires",
        kind=Challenge.Kind.CALL_FOR_IDEAS,
        brief="Vos idées pour réduire l'empreinte écologique de nos accueils, de nos courriers "
        "et de nos déplacements, sans dégrader le service rendu.",
        sponsor=Directorate.objects.order_by("-pk").first(),
        audience=Challenge.Audience.AGENTS_AND_PARTNERS,
        submissions_open_on=today - days(10),
        submissions_close_on=today + days(20),
        judging_close_on=today + days(35),
        results_on=today + days(40),
        status=Challenge.Status.OPEN,
        created_by=lab,
    )
    open_call.jury.set(jury[:2])
    for position, (label, weight) in enumerate(
        [("Impact écologique", 3), ("Qualité du service préservée", 2)], start=1
    ):
        GateCriterion.objects.create(
            scorecard=Scorecard.CHALLENGE,
            challenge=open_call,
            label=label,
            weight=weight,
            position=position,
        )
    for index, (title, summary, team) in enumerate(OPEN_CALL_ENTRIES):
        submitter = agents[(index + 2) % len(agents)]
        entry = ChallengeEntry.objects.create(
            challenge=open_call,
            title=title,
            summary=summary,
            team_name=team,
            submitted_by=submitter,
        )
        entry.members.set([submitter])
    for challenge in (judged, open_call):
        follow(user=lab, obj=challenge)
    return 2


def _seed_sessions(
    rng: random.Random,
    *,
    lab: User,
    requester: User | None,
    directorates: list[Directorate],
    agents: list[User],
):
    now = timezone.now()
    cafs = list(Caf.objects.filter(code__in=["38", "69", "75", "59", "33"]))
    n_sessions = n_ideas = 0
    for number, (kind, title, problem, participants, final, reason) in enumerate(REQUESTS):
        # Half of them from the demo directorate member, so that their list is not empty.
        others = [d for d in directorates if requester is None or d.pk != requester.directorate_id]
        if requester is not None and (number % 2 == 0 or not others):
            by, directorate = requester, requester.directorate
        else:
            directorate = others[number % len(others)]
            by = _directorate_member(directorate)
        created = now - datetime.timedelta(days=120 - number * 15)
        desired_from = (created + datetime.timedelta(days=30)).date()
        request = SessionRequest.objects.create(
            kind=kind,
            directorate=directorate,
            requested_by=by,
            title=title,
            problem=problem,
            desired_from=desired_from,
            desired_until=desired_from + datetime.timedelta(days=30),
            expected_participants=participants,
            status=final,
            decline_reason=reason,
            handled_by=lab if final != RequestStatus.REQUESTED else None,
        )
        SessionRequest.objects.filter(pk=request.pk).update(created_at=created)
        follow(user=by, obj=request)

        path = [RequestStatus.REQUESTED]
        if final == RequestStatus.DECLINED:
            path.append(RequestStatus.DECLINED)
        else:
            path = FLOW[: FLOW.index(final) + 1]
        moment = created
        previous = ""
        for status in path:
            note = {
                RequestStatus.REQUESTED: "Demande déposée.",
                RequestStatus.QUALIFIED: "Besoin précisé lors d'un entretien avec la direction.",
                RequestStatus.SCHEDULED: "Séance programmée.",
                RequestStatus.HELD: "Séance tenue.",
                RequestStatus.DEBRIEFED: "Restitution faite à la direction.",
                RequestStatus.DECLINED: reason,
            }[status]
            change = SessionRequestChange.objects.create(
                request=request,
                from_status=previous,
                to_status=status,
                note=note,
                changed_by=by if status == RequestStatus.REQUESTED else lab,
            )
            SessionRequestChange.objects.filter(pk=change.pk).update(changed_at=moment)
            previous = status
            moment = moment + datetime.timedelta(days=rng.randint(5, 12))
        SessionRequest.objects.filter(pk=request.pk).update(status_changed_at=moment)

        if final not in (RequestStatus.SCHEDULED, RequestStatus.HELD, RequestStatus.DEBRIEFED):
            continue
        is_held = final != RequestStatus.SCHEDULED
        days = -(20 + number) if is_held else 14
        held_on = now + datetime.timedelta(days=days)
        caf = cafs[number % len(cafs)] if cafs else None
        session = CreativitySession.objects.create(
            request=request,
            title=f"Séance : {title.lower()}",
            held_on=timezone.localtime(held_on).replace(hour=9, minute=30, second=0, microsecond=0),
            place=f"{caf.name}, salle de créativité" if caf and number % 2 == 0 else "",
            video_link="" if caf and number % 2 == 0 else "https://visio.example.org/caflab",
            caf=caf,
            method=METHODS[number % len(METHODS)],
            participants_agents=rng.randint(6, 14),
            participants_citizens=rng.randint(2, 6),
            participants_partners=rng.randint(0, 3),
            materials="Post-it, cartes persona, parcours usager imprimé en A0.",
            debrief="Trois pistes retenues, à prototyper avec deux Caf volontaires."
            if final == RequestStatus.DEBRIEFED
            else "",
            is_held=is_held,
        )
        session.facilitators.set([lab, *agents[number : number + 1]])
        n_sessions += 1
        for index, (idea_title, idea_problem) in enumerate(SESSION_IDEAS.get(title, [])):
            author = lab if index == 0 else agents[(number + index) % len(agents)]
            _idea(
                author=author,
                title=idea_title,
                problem=idea_problem,
                caf=caf,
                source=Idea.Source.SESSION,
                session=session,
            )
            n_ideas += 1
    return len(REQUESTS), n_sessions, n_ideas


def _directorate_member(directorate: Directorate) -> User:
    """A member of `directorate` (the demo accounts have one directorate member only)."""
    member = User.objects.filter(role=Role.DIRECTORATE, directorate=directorate).first()
    if member is not None:
        return member
    return User.objects.create_user(
        email=f"direction.{directorate.acronym.lower()}@caflab.demo",
        first_name="Membre",
        last_name=f"de la {directorate.acronym}",
        role=Role.DIRECTORATE,
        directorate=directorate,
        password=None,
    )
