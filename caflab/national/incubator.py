"""The incubator at national scale: six calls for projects (one closed call in selection with
600 applications scored by a jury of six, two decided calls whose selected applications became
incubated projects in cohorts with milestones, open and draft calls), the applications of the
network's agents, "agent.1" applying to every call (their "mes candidatures").

The calls go through `incubator.services.call_create` (a handful: each creates its reserved
application form and the default scorecard); applications, scores, cohorts and milestones are
written in bulk, their statuses consistent with their call's."""

import datetime
import random

from caflab.accounts.models import User
from caflab.national.accounts import People
from caflab.national.bulk import DOMAIN, NOW, TODAY, bulk, days_ago, sized
from incubator.models import Application, ApplicationScore, Call, CallCriterion, Cohort, Milestone
from incubator.services import call_create
from projects.models import Project, Track

TITLE_PREFIX = "Appel national"
# The call the bench ranks: closed, in selection, the most applications.
RANKED_TITLE = f"{TITLE_PREFIX} 2026 : aller vers les familles"
APPLICANT = "agent.1"  # applies to every call: the bench's "mes candidatures"
JURY_SIZE = 6
SELECTED = 15  # per decided call

# (title, status, applications at national scale, opens … closes in days from today)
CALLS = (
    (RANKED_TITLE, Call.Status.CLOSED, 600, -90, -10),
    (f"{TITLE_PREFIX} 2025 : accès aux droits", Call.Status.DECIDED, 250, -420, -330),
    (f"{TITLE_PREFIX} 2024 : petite enfance", Call.Status.DECIDED, 200, -780, -700),
    (f"{TITLE_PREFIX} 2027 : logement des jeunes", Call.Status.OPEN, 150, -20, 40),
    (f"{TITLE_PREFIX} 2027 : transition écologique", Call.Status.OPEN, 80, -5, 60),
    (f"{TITLE_PREFIX} 2027 : numérique responsable", Call.Status.DRAFT, 0, 30, 90),
)
MILESTONES = (
    (Milestone.Kind.KICK_OFF, "Lancement de la promotion", 0),
    (Milestone.Kind.MENTORING, "Séance de mentorat", 45),
    (Milestone.Kind.MID_TERM, "Point à mi-parcours", 120),
    (Milestone.Kind.DEMO_DAY, "Demo day", 240),
)


def _applications(
    rng: random.Random, call: Call, count: int, applicant: int, people: People
) -> list[Application]:
    applicants = [applicant, *rng.sample([a for a in people.agents if a != applicant], count - 1)]
    drafts = call.status == Call.Status.OPEN
    rows = []
    for n, person in enumerate(applicants, start=1):
        submitted = not drafts or rng.random() < 0.6
        rows.append(
            Application(
                call=call,
                applicant_id=person,
                title=f"Projet n°{n} : un accueil des familles repensé avec elles",
                summary="Aller vers les familles qui ne viennent plus, avec les partenaires.",
                status=Application.Status.SUBMITTED if submitted else Application.Status.DRAFT,
                submitted_at=days_ago(rng, 5, 60) if submitted else None,
            )
        )
    return bulk(Application, rows)


def seed(rng: random.Random, scale: float, people: People, projects: list[Project]) -> int:
    owner = User.objects.get(pk=people.lab[0])
    applicant = User.objects.get(email=f"{APPLICANT}{DOMAIN}").pk
    incubated = iter(p for p in projects if p.track == Track.LOCAL_INCUBATOR and not p.is_draft)
    jurors = people.lab[1 : 1 + JURY_SIZE // 2] + rng.sample(people.network, JURY_SIZE // 2)
    written = 0
    for title, status, volume, opens, closes in CALLS:
        call = call_create(
            by=owner,
            title=title,
            brief="Des projets locaux portés par les Caf et leurs partenaires.",
            eligibility="Agents des Caf et organisations partenaires.",
            audience=Call.Audience.BOTH,
            opens_on=TODAY + datetime.timedelta(days=opens),
            closes_on=TODAY + datetime.timedelta(days=closes),
            jury=jurors,
        )
        Call.objects.filter(pk=call.pk).update(status=status)
        call.status = status
        if not volume:
            continue
        applications = _applications(rng, call, sized(volume, scale, 4), applicant, people)
        submitted = [a for a in applications if a.status == Application.Status.SUBMITTED]
        written += len(applications)
        if status in (Call.Status.CLOSED, Call.Status.DECIDED):
            criteria = list(CallCriterion.objects.filter(call=call).values_list("pk", flat=True))
            written += len(
                bulk(
                    ApplicationScore,
                    (
                        ApplicationScore(
                            application=a,
                            criterion_id=criterion,
                            reviewer_id=juror,
                            score=rng.randint(1, 5),
                        )
                        for a in submitted
                        for juror in jurors
                        if rng.random() < 0.85  # not every juror has scored every one yet
                        for criterion in criteria
                    ),
                )
            )
        if status == Call.Status.DECIDED:
            written += _decide(call, submitted, owner, incubated)
    return written


def _decide(call: Call, submitted: list[Application], owner: User, incubated) -> int:
    """Every application decided and told; the first ones selected, in the call's cohort,
    each tied to one incubated national project."""
    cohort = Cohort.objects.create(
        call=call, title=f"Promotion {call.title}", created_by=owner, description=""
    )
    start = call.closes_on + datetime.timedelta(days=30)
    bulk(
        Milestone,
        (
            Milestone(
                cohort=cohort,
                kind=kind,
                title=label,
                on=start + datetime.timedelta(days=offset),
                created_by=owner,
            )
            for kind, label, offset in MILESTONES
        ),
    )
    decided_at = datetime.datetime.combine(start, datetime.time(10), NOW.tzinfo)
    for n, application in enumerate(submitted):
        project = next(incubated, None) if n < SELECTED else None
        application.decision = (
            Application.Decision.SELECTED if project else Application.Decision.NOT_SELECTED
        )
        application.decision_reason = "Le jury a retenu les projets les mieux notés."
        application.decided_by = owner
        application.decided_at = decided_at
        application.decision_notified_at = decided_at
        application.project = project
        application.cohort = cohort if project else None
    Application.objects.bulk_update(
        submitted,
        [
            "decision",
            "decision_reason",
            "decided_by",
            "decided_at",
            "decision_notified_at",
            "project",
            "cohort",
        ],
        batch_size=1000,
    )
    return 1 + len(MILESTONES)
