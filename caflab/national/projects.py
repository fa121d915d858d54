"""The portfolio at national scale: 2,000 projects over every stage with their histories and
gate reviews, 4,500 deployments, 20,000 ideas with 90,000 supports and long-tail comments."""

import datetime
import random
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import IntegerField, Max
from django.db.models.functions import Cast, Substr

from caflab.national.accounts import People
from caflab.national.bulk import NOW, TODAY, bulk, days_ago, sized, through, zipf_weights
from caflab.network.models import Directorate, Programme, Theme
from ideas.models import Idea, IdeaComment, IdeaStatusChange, IdeaSupport
from projects.models import (
    PIPELINE,
    BlockerLever,
    Deployment,
    DeploymentChange,
    GateReview,
    Project,
    ProjectOrigin,
    Stage,
    StageChange,
    StatusReport,
    TeamMember,
    Track,
)

STAGE_WEIGHTS = {
    Stage.IDEA: 25,
    Stage.CREATIVITY: 15,
    Stage.PROTOTYPE: 15,
    Stage.EXPERIMENTATION: 15,
    Stage.ESSAIMAGE: 12,
    Stage.GENERALISED: 5,
    Stage.SHELVED: 8,
    Stage.ABANDONED: 5,
}
SUBJECTS = (
    "rendez-vous des droits",
    "accueil sans rendez-vous",
    "simulateur d'aides",
    "accompagnement des familles monoparentales",
    "prévention des impayés de loyer",
    "garde d'enfants en horaires atypiques",
    "médiation numérique",
    "aide au premier logement des jeunes",
    "parcours naissance",
    "lutte contre le non-recours",
    "accueil des allocataires sourds",
    "parentalité à distance",
)
PLACES = ("en Caf", "en zone rurale", "en quartier prioritaire", "outre-mer", "par téléphone")


def _title(rng: random.Random, n: int) -> str:
    return f"{rng.choice(SUBJECTS).capitalize()} {rng.choice(PLACES)} n°{n}"


def _codes(year: int, count: int) -> list[str]:
    """`count` free codes of `year`, after the highest existing number (compared as numbers)."""
    prefix = f"INNO-{year}-"
    last = Project.objects.filter(code__startswith=prefix).aggregate(
        last=Max(Cast(Substr("code", len(prefix) + 1), IntegerField()))
    )["last"]
    start = (last or 0) + 1
    return [f"{prefix}{n:03d}" for n in range(start, start + count)]


def seed_projects(rng: random.Random, scale: float, people: People) -> list[Project]:
    themes = list(Theme.objects.values_list("pk", flat=True))
    programmes = list(Programme.objects.values_list("pk", flat=True))
    directorates = list(Directorate.objects.values_list("pk", flat=True))
    count = sized(2000, scale, 8)
    years = list(range(TODAY.year - 7, TODAY.year + 1))
    per_year = {year: 0 for year in years}
    year_of = [years[min(len(years) - 1, int(len(years) * i / count))] for i in range(count)]
    for year in year_of:
        per_year[year] += 1
    codes = {year: iter(_codes(year, n)) for year, n in per_year.items()}
    leads = people.lab + rng.sample(people.agents, min(len(people.agents), 600))
    stages = rng.choices(list(STAGE_WEIGHTS), list(STAGE_WEIGHTS.values()), k=count)
    # Guarantee every stage at least once, whatever the scale.
    stages[: len(STAGE_WEIGHTS)] = list(STAGE_WEIGHTS)

    projects, paths = [], []
    for i, (year, stage) in enumerate(zip(year_of, stages, strict=True)):
        if stage in (Stage.SHELVED, Stage.ABANDONED):
            reached = rng.randint(1, 3)
        else:
            reached = PIPELINE.index(stage)
        path = list(PIPELINE[: reached + 1]) + (
            [stage] if stage in (Stage.SHELVED, Stage.ABANDONED) else []
        )
        started = datetime.datetime(year, 1, 1, tzinfo=NOW.tzinfo) + datetime.timedelta(
            days=rng.uniform(0, 300)
        )
        started = min(started, NOW - datetime.timedelta(days=len(path) * 20))
        moves = [started]
        for _ in path[1:]:
            moves.append(moves[-1] + (NOW - moves[-1]) * rng.uniform(0.1, 0.5))
        paths.append((path, moves))
        draft = stage == Stage.IDEA and rng.random() < 0.3
        lead = rng.choice(leads)
        projects.append(
            Project(
                code=next(codes[year]),
                title=_title(rng, i + 1),
                problem="Des familles renoncent à des droits faute d'information au bon moment.",
                solution="Un service proactif, conçu avec les usagers et les agents.",
                target_publics="Familles, jeunes adultes",
                track=Track.LOCAL_INCUBATOR if rng.random() < 0.25 else Track.NATIONAL_LAB,
                lead_id=lead,
                created_by_id=lead,
                sponsor_id=rng.choice(directorates) if rng.random() < 0.7 else None,
                pilot_caf_id=rng.choice(people.cafs),
                budget_planned=Decimal(rng.randrange(5, 500) * 1000),
                budget_spent=Decimal(rng.randrange(0, 400) * 1000),
                started_on=started.date(),
                is_draft=draft,
                is_public=not draft and rng.random() < 0.2,
                stage=stage,
                stage_changed_at=moves[-1],
                revisit_on=TODAY + datetime.timedelta(days=rng.randint(-30, 300))
                if stage == Stage.SHELVED
                else None,
                lesson_learned="Le besoin était couvert autrement."
                if stage == Stage.ABANDONED
                else "",
            )
        )
    projects = bulk(Project, projects)

    through(
        Project.themes.field,
        ((p.pk, t) for p in projects for t in rng.sample(themes, rng.randint(1, 3))),
    )
    through(
        Project.programmes.field,
        ((p.pk, g) for p in projects if rng.random() < 0.4 for g in [rng.choice(programmes)]),
    )

    team = []
    for project in projects:
        team.append(TeamMember(project=project, user_id=project.lead_id, role="lead"))
        for user in set(rng.sample(people.agents, 3)) - {project.lead_id}:
            team.append(TeamMember(project=project, user_id=user, role="member"))
    bulk(TeamMember, team)

    reviews, changes = [], []
    for project, (path, moves) in zip(projects, paths, strict=True):
        changes.append(
            StageChange(
                project=project,
                to_stage=path[0],
                changed_at=moves[0],
                changed_by_id=project.lead_id,
            )
        )
        for previous, stage, moment in zip(path, path[1:], moves[1:], strict=False):
            decision = {Stage.SHELVED: "hold", Stage.ABANDONED: "stop"}.get(stage, "go")
            review = GateReview(
                project=project,
                from_stage=previous,
                to_stage=stage if decision == "go" else (PIPELINE[PIPELINE.index(previous) + 1]),
                requested_by_id=project.lead_id,
                motivation="Les critères de passage sont réunis.",
                status=GateReview.Status.DECIDED,
                decision=decision,
                rationale="Décision du comité d'innovation.",
                decided_by_id=rng.choice(people.lab),
                decided_at=moment,
            )
            reviews.append(review)
            changes.append(
                StageChange(
                    project=project,
                    from_stage=previous,
                    to_stage=stage,
                    changed_at=moment,
                    changed_by_id=review.decided_by_id,
                    gate_review=review,
                )
            )
        # Some projects wait for their next gate review (one open review per project at most).
        if project.next_stage and rng.random() < 0.15:
            reviews.append(
                GateReview(
                    project=project,
                    from_stage=project.stage,
                    to_stage=project.next_stage,
                    requested_by_id=project.lead_id,
                    motivation="Nous demandons le passage à l'étape suivante.",
                    due_on=TODAY + datetime.timedelta(days=rng.randint(-20, 40)),
                )
            )
    bulk(GateReview, reviews)
    for change in changes:
        change.gate_review_id = change.gate_review.pk if change.gate_review else None
    bulk(StageChange, changes)

    # Status reports; the project's health is its latest report's (the denormalised pair).
    reports = []
    for project in projects:
        for k in range(rng.randint(0, 3)):
            reports.append(
                StatusReport(
                    project=project,
                    reported_on=TODAY - datetime.timedelta(days=30 * k + rng.randint(0, 25)),
                    health=rng.choices(["green", "amber", "red"], [6, 3, 1])[0],
                    summary="Le projet avance selon le calendrier prévu.",
                    author_id=project.lead_id,
                )
            )
    bulk(StatusReport, reports)
    latest: dict[int, StatusReport] = {}
    for report in reports:
        if (
            report.project_id not in latest
            or report.reported_on > latest[report.project_id].reported_on
        ):
            latest[report.project_id] = report
    for project in projects:
        if project.pk in latest:
            project.health = latest[project.pk].health
            project.health_reported_on = latest[project.pk].reported_on
    Project.objects.bulk_update(
        [p for p in projects if p.pk in latest], ["health", "health_reported_on"], batch_size=5000
    )

    bulk(
        BlockerLever,
        (
            BlockerLever(
                project=project,
                kind=rng.choice(["blocker", "lever"]),
                text=rng.choice(
                    ["Disponibilité des équipes", "Accès aux données", "Appui de la direction"]
                ),
                owner_id=project.lead_id,
                status="open" if rng.random() < 0.7 else "lifted",
                opened_on=TODAY - datetime.timedelta(days=rng.randint(1, 400)),
            )
            for project in projects
            for _ in range(rng.randint(0, 3))
        ),
    )
    return projects


DEPLOYMENT_PATHS = {
    "interested": ["interested"],
    "preparing": ["interested", "preparing"],
    "running": ["interested", "preparing", "running"],
    "sustained": ["interested", "preparing", "running", "sustained"],
    "declined": ["interested", "declined"],
    "stopped": ["interested", "preparing", "running", "stopped"],
}


def seed_deployments(
    rng: random.Random, scale: float, projects: list[Project], people: People
) -> None:
    spreading = [
        p
        for p in projects
        if p.stage in (Stage.EXPERIMENTATION, Stage.ESSAIMAGE, Stage.GENERALISED)
    ]
    target = sized(4500, scale, len(spreading))
    weights = [4 if p.stage != Stage.EXPERIMENTATION else 1 for p in spreading]
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < target:
        project = rng.choices(spreading, weights)[0]
        pairs.add((project.pk, rng.choice(people.cafs)))
    deployments, paths = [], []
    for project_id, caf in sorted(pairs):
        status = rng.choices(list(DEPLOYMENT_PATHS), [20, 20, 30, 15, 10, 5])[0]
        path = DEPLOYMENT_PATHS[status]
        moments = sorted(days_ago(rng, 1, 700) for _ in path)
        paths.append((path, moments))
        lead = rng.choice(people.correspondents.get(caf) or people.lab)
        deployments.append(
            Deployment(
                project_id=project_id,
                caf_id=caf,
                status=status,
                status_changed_at=moments[-1],
                reason="Moyens insuffisants cette année."
                if status in ("declined", "stopped")
                else "",
                local_lead_id=lead,
                declared_by_id=lead,
            )
        )
    deployments = bulk(Deployment, deployments)
    bulk(
        DeploymentChange,
        (
            DeploymentChange(
                deployment=deployment,
                from_status=previous,
                to_status=status,
                changed_at=moment,
                changed_by_id=deployment.local_lead_id,
            )
            for deployment, (path, moments) in zip(deployments, paths, strict=True)
            for previous, status, moment in zip(["", *path[:-1]], path, moments, strict=True)
        ),
    )


IDEA_STATUSES = {
    Idea.Status.SUBMITTED: 40,
    Idea.Status.UNDER_REVIEW: 15,
    Idea.Status.ACCEPTED: 7,
    Idea.Status.MERGED: 5,
    Idea.Status.SHELVED: 8,
    Idea.Status.DECLINED: 25,
}


def seed_ideas(
    rng: random.Random, scale: float, projects: list[Project], people: People
) -> list[int]:
    themes = list(Theme.objects.values_list("pk", flat=True))
    count = sized(20_000, scale, 20)
    authors = people.network
    statuses = rng.choices(list(IDEA_STATUSES), list(IDEA_STATUSES.values()), k=count)
    statuses[: len(IDEA_STATUSES)] = list(IDEA_STATUSES)
    # Accepted ideas each fed a project (idea → project origin); no project twice.
    free_projects = iter(rng.sample(projects, len(projects)))
    ideas, merged = [], []
    for n, status in enumerate(statuses, start=1):
        author = rng.choice(authors)
        project = next(free_projects, None) if status == Idea.Status.ACCEPTED else None
        if status == Idea.Status.ACCEPTED and project is None:
            status = Idea.Status.DECLINED
        changed = days_ago(rng, 0, 900)
        idea = Idea(
            title=_title(rng, n),
            problem="Les allocataires ne savent pas à quelles aides ils ont droit.",
            solution="Leur écrire au bon moment, avec les bons mots.",
            caf_id=people.agent_caf.get(author),
            author_id=author,
            status=status,
            status_changed_at=changed,
            revisit_on=TODAY + datetime.timedelta(days=90)
            if status == Idea.Status.SHELVED
            else None,
            project=project,
            reviewer_id=rng.choice(people.lab) if status != Idea.Status.SUBMITTED else None,
            reviewed_at=changed if status != Idea.Status.SUBMITTED else None,
        )
        (merged if status == Idea.Status.MERGED else ideas).append(idea)
    ideas = bulk(Idea, ideas)
    for idea in merged:
        idea.merged_into_id = rng.choice(ideas).pk
    merged = bulk(Idea, merged)
    ideas += merged
    through(
        Idea.themes.field, ((i.pk, t) for i in ideas for t in rng.sample(themes, rng.randint(1, 2)))
    )

    idea_type = ContentType.objects.get_for_model(Idea)
    bulk(
        ProjectOrigin,
        (
            ProjectOrigin(
                project_id=i.project_id, content_type=idea_type, object_id=i.pk, label=i.title[:255]
            )
            for i in ideas
            if i.project_id
        ),
    )
    bulk(
        IdeaStatusChange,
        (
            IdeaStatusChange(
                idea=i,
                from_status=Idea.Status.SUBMITTED,
                to_status=i.status,
                reason="Examinée par l'équipe du CafLab.",
                changed_by_id=i.reviewer_id,
                changed_at=i.status_changed_at,
            )
            for i in ideas
            if i.status != Idea.Status.SUBMITTED
        ),
    )

    # 90,000 supports, long tail: the first ideas in a shuffled order are the popular ones.
    order = [i.pk for i in ideas]
    rng.shuffle(order)
    weights = zipf_weights(len(order), 0.8)
    target = min(sized(90_000, scale, 20), len(order) * len(authors) // 2)
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < target:
        for idea in rng.choices(order, weights, k=target - len(pairs)):
            pairs.add((idea, rng.choice(authors)))
    bulk(IdeaSupport, (IdeaSupport(idea_id=i, user_id=u) for i, u in pairs))

    # Comments: a few ideas with 1,000+ comments, then a long tail.
    counts = (
        [rng.randint(1000, 1500) for _ in range(3)] if scale >= 0.5 else [sized(1000, scale, 3)]
    )
    counts += [rng.randint(1, 8) for _ in range(sized(3000, scale, 3))]
    comments = [
        IdeaComment(
            idea_id=order[k],
            author_id=rng.choice(authors),
            text="Très bonne idée, nous avons le même constat dans notre Caf.",
        )
        for k, n in enumerate(counts[: len(order)])
        for _ in range(n)
    ]
    comments = bulk(IdeaComment, comments)
    by_idea: dict[int, list[int]] = {}
    for comment in comments:
        by_idea.setdefault(comment.idea_id, []).append(comment.pk)
    bulk(
        IdeaComment,
        (
            IdeaComment(
                idea_id=idea,
                parent_id=rng.choice(ids),
                author_id=rng.choice(authors),
                text="D'accord, et il faudrait associer les partenaires.",
            )
            for idea, ids in by_idea.items()
            for _ in range(len(ids) // 4)
        ),
    )
    return order
