"""Demo portfolio: about 40 projects over every stage, with backdated histories, gate reviews,
status reports, blockers and levers, and deployments in about 25 Caf.

Rows are written directly (not through the services) so that histories can be dated in the
past and no notification storm is sent; it runs once (skipped when projects exist).

Then, through the services: a few "transformation interne" projects (managerial practices,
workspace layouts, digital transformation) with their track's gate criteria, and the demo
partner's work on an incubated project (a status report, a blocker).
"""

import datetime
import random
from typing import TextIO

from django.utils import timezone

from caflab.accounts.models import Role, User
from caflab.network.models import Caf, CogAmbition, Directorate, Partner, Programme, Theme
from projects import services
from projects.models import (
    PIPELINE,
    BlockerLever,
    Deployment,
    DeploymentChange,
    GateCriterion,
    GateReview,
    GateScore,
    Project,
    ProjectEvent,
    Prototype,
    Stage,
    StageChange,
    StatusReport,
    TeamMember,
    Track,
)

# (title, problem, solution, final stage)
PROJECTS = [
    (
        "Rendez-vous des droits à la naissance",
        "Des familles ne demandent pas toutes les aides auxquelles elles ont droit après une naissance.",
        "Un rendez-vous proactif proposé à chaque famille dans les trois mois suivant la naissance.",
        Stage.GENERALISED,
    ),
    (
        "Simulateur de prime d'activité en agence",
        "Les usagers hésitent à déposer une demande faute de connaître le montant possible.",
        "Un simulateur utilisé avec l'agent d'accueil, imprimable.",
        Stage.ESSAIMAGE,
    ),
    (
        "Accueil sans rendez-vous repensé",
        "Les files d'attente découragent les allocataires les plus fragiles.",
        "Un accueil en flux orienté dès l'entrée par un agent volant.",
        Stage.ESSAIMAGE,
    ),
    (
        "Courriers en langage clair",
        "Les courriers de la Caf sont jugés incompréhensibles par un tiers des allocataires.",
        "Réécriture des 20 courriers les plus envoyés avec des usagers.",
        Stage.GENERALISED,
    ),
    (
        "Parcours séparation",
        "Les parents qui se séparent doivent déclarer plusieurs fois la même information.",
        "Un parcours unique de déclaration et d'accompagnement lors d'une séparation.",
        Stage.EXPERIMENTATION,
    ),
    (
        "Médiation numérique en tiers-lieux",
        "Une partie des allocataires n'a ni équipement ni aisance numérique.",
        "Des permanences de médiation numérique dans des tiers-lieux partenaires.",
        Stage.ESSAIMAGE,
    ),
    (
        "Garde d'enfants en horaires atypiques",
        "Les parents travaillant tôt ou tard ne trouvent pas de mode de garde.",
        "Une plateforme de mise en relation avec des assistantes maternelles aux horaires atypiques.",
        Stage.EXPERIMENTATION,
    ),
    (
        "Aide au logement des apprentis",
        "Les apprentis renoncent à des contrats faute de logement près de l'entreprise.",
        "Un dispositif d'aide au logement temporaire monté avec les CFA.",
        Stage.PROTOTYPE,
    ),
    (
        "Rappel proactif des fins de droits",
        "Des allocataires découvrent la fin d'un droit au moment où il s'arrête.",
        "Un SMS et un appel deux mois avant la fin d'un droit.",
        Stage.EXPERIMENTATION,
    ),
    (
        "Café des parents en centre social",
        "Les parents isolés ne connaissent pas les services de soutien à la parentalité.",
        "Des cafés des parents animés avec les centres sociaux.",
        Stage.ESSAIMAGE,
    ),
    (
        "Dossier de crèche unique départemental",
        "Les familles déposent un dossier par crèche, sans visibilité.",
        "Un guichet unique départemental des demandes de place en crèche.",
        Stage.PROTOTYPE,
    ),
    (
        "Visio-accueil en zone rurale",
        "Les allocataires ruraux sont loin d'un point d'accueil.",
        "Des bornes de visio-accueil dans les maisons France services.",
        Stage.ESSAIMAGE,
    ),
    (
        "Tri des courriels entrants assisté",
        "Les agents passent du temps à orienter des courriels mal classés.",
        "Un tri assisté des courriels entrants vers la bonne équipe.",
        Stage.CREATIVITY,
    ),
    (
        "Accompagnement des jeunes sortants de l'ASE",
        "Les jeunes majeurs sortant de l'aide sociale à l'enfance décrochent de leurs droits.",
        "Un référent Caf dédié et un rendez-vous à 18 ans.",
        Stage.EXPERIMENTATION,
    ),
    (
        "Lab Parentalité : monenfant.fr pour tous",
        "Les parents trouvent difficilement une information fiable sur les modes de garde.",
        "Refonte co-construite des parcours de monenfant.fr avec le Lab Parentalité.",
        Stage.PROTOTYPE,
    ),
    (
        "Sobriété numérique des services en ligne",
        "Les pages lourdes excluent les usagers aux connexions lentes et consomment de l'énergie.",
        "Allègement des pages et mesure de leur empreinte.",
        Stage.PROTOTYPE,
    ),
    (
        "Mobilité durable des agents",
        "Les déplacements professionnels pèsent sur le bilan carbone des Caf.",
        "Une flotte de vélos à assistance électrique et un outil de covoiturage.",
        Stage.EXPERIMENTATION,
    ),
    (
        "Jardins partagés en centres sociaux",
        "Les familles des quartiers manquent d'espaces de rencontre.",
        "Des jardins partagés animés avec les centres sociaux.",
        Stage.IDEA,
    ),
    (
        "Rénovation énergétique et aides au logement",
        "Des allocataires vivent dans des logements indécents et énergivores.",
        "Un repérage partagé avec les opérateurs de rénovation énergétique.",
        Stage.CREATIVITY,
    ),
    (
        "Agent de liaison avec les bailleurs",
        "Les impayés de loyer sont détectés trop tard.",
        "Un agent de liaison et un circuit d'alerte précoce avec les bailleurs sociaux.",
        Stage.EXPERIMENTATION,
    ),
    (
        "Permanences handicap et AEEH",
        "Les familles d'enfants handicapés connaissent mal l'AEEH.",
        "Des permanences communes avec la MDPH.",
        Stage.IDEA,
    ),
    (
        "Chatbot des démarches simples",
        "Les questions simples saturent la plateforme téléphonique.",
        "Un assistant conversationnel pour les démarches simples, relu par des agents.",
        Stage.SHELVED,
    ),
    (
        "Maraudes numériques",
        "Des personnes sans domicile ne font valoir aucun droit.",
        "Des maraudes avec les associations, équipées pour ouvrir les droits sur place.",
        Stage.PROTOTYPE,
    ),
    (
        "Guide d'accueil des nouveaux agents en immersion",
        "Les nouveaux agents découvrent tard le point de vue des usagers.",
        "Une journée d'immersion en accueil et en visite à domicile.",
        Stage.GENERALISED,
    ),
    (
        "Budget participatif jeunesse",
        "Les jeunes se sentent peu associés aux projets qui les concernent.",
        "Un budget participatif pour les projets portés par des jeunes.",
        Stage.ABANDONED,
    ),
    (
        "Colis de naissance éco-responsable",
        "Les jeunes parents manquent d'information pratique et de matériel.",
        "Un colis éco-conçu remis à la maternité avec les informations utiles.",
        Stage.IDEA,
    ),
    (
        "Forum des métiers de la petite enfance",
        "Les crèches peinent à recruter.",
        "Des forums de recrutement avec Pôle emploi et les écoles.",
        Stage.CREATIVITY,
    ),
    (
        "Prise de rendez-vous par SMS",
        "Les rendez-vous manqués font perdre du temps aux agents et aux usagers.",
        "Confirmation et rappel des rendez-vous par SMS.",
        Stage.GENERALISED,
    ),
    (
        "Coffre-fort numérique des justificatifs",
        "Les usagers renvoient plusieurs fois les mêmes pièces.",
        "Un espace où déposer une fois ses justificatifs, réutilisés avec leur accord.",
        Stage.SHELVED,
    ),
    (
        "Médiation familiale en ligne",
        "Les délais d'attente en médiation familiale dépassent trois mois.",
        "Des séances de médiation familiale en visio.",
        Stage.EXPERIMENTATION,
    ),
    (
        "Accueil des familles monoparentales",
        "Les familles monoparentales cumulent les difficultés d'accès aux droits.",
        "Un parcours dédié avec un interlocuteur unique.",
        Stage.PROTOTYPE,
    ),
    (
        "Tiers payant des activités de loisirs",
        "Les familles modestes avancent les frais des loisirs des enfants.",
        "Un tiers payant avec les associations sportives et culturelles.",
        Stage.IDEA,
    ),
    (
        "Réseau des ambassadeurs usagers",
        "Les usagers ne sont pas associés à l'amélioration des services.",
        "Un réseau d'ambassadeurs usagers consultés régulièrement.",
        Stage.ESSAIMAGE,
    ),
    (
        "Indicateur de non-recours territorial",
        "Le non-recours est mal connu à l'échelle des territoires.",
        "Un indicateur de non-recours par commune, partagé avec les partenaires.",
        Stage.CREATIVITY,
    ),
    (
        "Fresque du climat pour les équipes",
        "Les équipes connaissent mal les enjeux climatiques de leur activité.",
        "Des ateliers Fresque du climat et un plan d'actions par équipe.",
        Stage.ESSAIMAGE,
    ),
    (
        "Réemploi du mobilier des accueils",
        "Le mobilier des accueils est jeté lors des réaménagements.",
        "Un circuit de réemploi avec des recycleries de l'ESS.",
        Stage.PROTOTYPE,
    ),
    (
        "Accueil des étudiants en résidence",
        "Les étudiants découvrent l'aide au logement trop tard.",
        "Des permanences dans les résidences universitaires à la rentrée.",
        Stage.ABANDONED,
    ),
    (
        "Visites à domicile augmentées",
        "Les visites à domicile produisent beaucoup de saisies après coup.",
        "Une tablette et des formulaires hors ligne pour les visites.",
        Stage.IDEA,
    ),
    (
        "Écrivains publics bénévoles",
        "Certains allocataires ne peuvent pas remplir seuls leurs formulaires.",
        "Un réseau d'écrivains publics bénévoles formés par la Caf.",
        Stage.CREATIVITY,
    ),
    (
        "Tableau de bord partagé avec les communes",
        "Les communes ne savent pas quels services Caf existent sur leur territoire.",
        "Un tableau de bord des services et des publics partagé avec les communes.",
        Stage.EXPERIMENTATION,
    ),
]

HEALTH_BY_STAGE = {Stage.SHELVED: "amber", Stage.ABANDONED: "red"}
DEPLOYMENT_FLOW = ["interested", "preparing", "running", "sustained"]


# (title, problem, solution, stage reached): the "transformation interne" track.
TRANSFORMATION_PROJECTS = [
    (
        "Réunions d’équipe en format court et debout",
        "Les réunions hebdomadaires des équipes de production durent plus d’une heure et "
        "laissent peu de place aux échanges entre agents.",
        "Un format de 20 minutes, debout, animé à tour de rôle, testé avec une équipe volontaire.",
        Stage.PROTOTYPE,
    ),
    (
        "Espaces de travail flexibles en agence",
        "Les bureaux individuels restent vides une partie de la semaine, faute de lieux pour "
        "travailler à plusieurs.",
        "Un plateau réaménagé avec les agents : zones calmes, salles de projet, postes partagés.",
        Stage.EXPERIMENTATION,
    ),
    (
        "Parcours numérique des nouveaux arrivants",
        "Les nouveaux agents attendent leurs accès et leurs outils plusieurs jours après leur "
        "arrivée.",
        "Un parcours d’accueil numérique préparé avant l’arrivée, avec un parrain.",
        Stage.CREATIVITY,
    ),
]


def seed(stdout: TextIO) -> None:
    """The portfolio first (the `ideas` app, seeded next, links its sources to the projects)."""
    seed_portfolio(stdout)
    seed_transformation(stdout)
    seed_partner_work(stdout)


def seed_transformation(stdout: TextIO) -> None:
    """A few "transformation interne" projects through the services; the most advanced asks
    for its next gate, whose review shows the track's own criteria. Runs once."""
    if Project.objects.filter(track=Track.INTERNAL_TRANSFORMATION).exists():
        stdout.write("  transformation interne : déjà présente")
        return
    lab = User.objects.get(email="labo@caflab.demo")
    directorate = Directorate.objects.order_by("pk").first()
    for title, problem, solution, reached in TRANSFORMATION_PROJECTS:
        project = services.project_create(
            by=lab,
            title=title,
            problem=problem,
            solution=solution,
            target_publics="Agents et managers",
            track=Track.INTERNAL_TRANSFORMATION,
            sponsor=directorate,
            pilot_caf=Caf.objects.get(code="38"),
            is_draft=False,
        )
        # Its stages so far, each by a "go" at its gate (reviewed by the lab).
        while project.stage != reached:
            review = services.gate_request(
                project=project, by=lab, motivation="L’équipe pilote est prête."
            )
            services.gate_score(
                review=review,
                reviewer=lab,
                scores={c.pk: (4, "") for c in services.gate_criteria_for(review)},
            )
            services.gate_decide(
                review=review,
                by=lab,
                decision="go",
                rationale="Décision du comité innovation.",
                # Used only if a registered check objects (a kit's deliverable…).
                override_justification="Livrables présentés en comité, hors plateforme.",
            )
            project.refresh_from_db()
        services.status_report_add(
            project=project,
            by=lab,
            health="green",
            summary="Les agents de l’équipe pilote sont associés à chaque atelier.",
        )
    services.gate_request(
        project=project, by=lab, motivation="Le parcours est prêt à être prototypé."
    )
    stdout.write(f"  transformation interne : {len(TRANSFORMATION_PROJECTS)} projets")


def seed_partner_work(stdout: TextIO) -> None:
    """The demo partner works on an incubated project of their organisation: a status report
    and a blocker, through the services. Runs once."""
    partner = User.objects.filter(email="partenaire@caflab.demo", partner__isnull=False).first()
    if partner is None:
        return
    project = Project.objects.filter(track=Track.LOCAL_INCUBATOR, is_draft=False).first()
    if project is None or StatusReport.objects.filter(author=partner).exists():
        return
    project.partners.add(partner.partner)
    services.status_report_add(
        project=project,
        by=partner,
        health="amber",
        summary="Nos bénévoles ont rencontré quinze familles ; le local du quartier manque.",
        next_steps="Trouver une salle avec la commune.",
    )
    services.lever_add(
        project=project,
        by=partner,
        kind=BlockerLever.Kind.BLOCKER,
        text="Pas de salle disponible pour les ateliers du samedi.",
    )
    stdout.write(f"  partenaire : point d’étape et frein sur {project.code}")


def seed_portfolio(stdout: TextIO) -> None:
    if Project.objects.exists():
        stdout.write("  portefeuille : déjà présent")
        return
    rng = random.Random(2026)  # the same demo every time
    today = timezone.localdate()
    now = timezone.now()
    lab = User.objects.get(email="labo@caflab.demo")
    leads = list(User.objects.filter(role__in=[Role.LAB_STAFF, Role.CORRESPONDENT, Role.AGENT]))
    cafs = list(Caf.objects.all())
    deploy_cafs = rng.sample(cafs, 25)
    local_leads = {
        user.caf_id: user
        for user in User.objects.filter(role=Role.CORRESPONDENT, is_active=True).order_by("-pk")
    }
    themes, programmes = list(Theme.objects.all()), list(Programme.objects.all())
    ambitions, directorates = list(CogAmbition.objects.all()), list(Directorate.objects.all())
    # The COG commitments' targets (set in the admin in real life): the cockpit's progress.
    # Their own random draws, so that the rest of the demo stays as it was.
    targets = random.Random(2023)
    for ambition in ambitions:
        if ambition.target is None:
            ambition.target = targets.randint(2, 6)
            ambition.save(update_fields=["target", "updated_at"])
    partners = list(Partner.objects.all())
    criteria = {}
    # The criteria of every track (this portfolio has none of "transformation interne").
    for criterion in GateCriterion.objects.filter(scorecard="gate", track=""):
        criteria.setdefault(criterion.target_stage, []).append(criterion)

    for number, (title, problem, solution, final) in enumerate(PROJECTS, start=1):
        started = now - datetime.timedelta(days=rng.randint(120, 900))
        year = started.year
        path = list(PIPELINE[: PIPELINE.index(final) + 1]) if final in PIPELINE else []
        if not path:  # shelved or abandoned after a few stages
            path = [*PIPELINE[: rng.randint(1, 3)], final]
        project = Project.objects.create(
            code=f"INNO-{year}-{number:03d}",
            title=title,
            problem=problem,
            solution=solution,
            target_publics=rng.choice(
                ["Familles", "Jeunes", "Parents isolés", "Allocataires du RSA", "Agents"]
            ),
            track=Track.LOCAL_INCUBATOR if number % 4 == 0 else Track.NATIONAL_LAB,
            lead=rng.choice(leads),
            sponsor=_sponsor(rng.choice(directorates), number, directorates),
            pilot_caf=rng.choice(cafs),
            budget_planned=rng.choice([None, 15000, 40000, 120000]),
            budget_spent=rng.choice([None, 5000, 22000]),
            started_on=started.date(),
            is_draft=number % 13 == 0,
            is_public=number % 3 == 0 and number % 13 != 0,
            stage=path[-1],
            stage_changed_at=now,
            revisit_on=today + datetime.timedelta(days=rng.randint(5, 60))
            if final == Stage.SHELVED
            else None,
            lesson_learned="Le besoin n'avait pas été vérifié auprès des usagers avant de "
            "prototyper ; le prochain projet commencera par des entretiens."
            if final == Stage.ABANDONED
            else "",
            created_by=lab,
        )
        project.themes.set(rng.sample(themes, 2))
        project.programmes.set(rng.sample(programmes, 1))
        project.cog_ambitions.set(rng.sample(ambitions, 1))
        if project.track == Track.LOCAL_INCUBATOR and partners:
            project.partners.set(partners[:1])
        TeamMember.objects.create(project=project, user=project.lead, role=TeamMember.Role.LEAD)

        # Stage history, spread between the start and today; each move has its gate review.
        moments = sorted(
            started + (now - started) * rng.uniform(0.05, 0.95) for _ in range(len(path) - 1)
        )
        previous = ""
        for stage, moment in zip(path, [started, *moments], strict=True):
            review = None
            if previous:
                decision = {
                    Stage.SHELVED: GateReview.Decision.HOLD,
                    Stage.ABANDONED: GateReview.Decision.STOP,
                }.get(stage, GateReview.Decision.GO)
                review = GateReview.objects.create(
                    project=project,
                    from_stage=previous,
                    to_stage=stage if stage in PIPELINE else next_of(previous),
                    requested_by=project.lead,
                    motivation="Les conditions de passage sont réunies.",
                    status=GateReview.Status.DECIDED,
                    decision=decision,
                    rationale="Décision du comité innovation.",
                    decided_by=lab,
                    decided_at=moment,
                )
                GateScore.objects.bulk_create(
                    GateScore(review=review, criterion=c, reviewer=lab, score=rng.randint(3, 5))
                    for c in criteria.get(review.to_stage, [])
                )
            change = StageChange.objects.create(
                project=project,
                from_stage=previous,
                to_stage=stage,
                changed_by=lab,
                gate_review=review,
            )
            StageChange.objects.filter(pk=change.pk).update(changed_at=moment)
            previous = stage
        Project.objects.filter(pk=project.pk).update(
            stage_changed_at=moments[-1] if moments else started
        )

        # An open gate review on some active projects, a few of them overdue.
        if final in PIPELINE[:-1] and number % 4 == 1:
            GateReview.objects.create(
                project=project,
                from_stage=final,
                to_stage=next_of(final),
                requested_by=project.lead,
                motivation="Nous demandons le passage à l'étape suivante.",
                due_on=today + datetime.timedelta(days=rng.randint(-5, 20)),
            )

        for months_ago in (4, 2, 0):
            health = HEALTH_BY_STAGE.get(final, rng.choice(["green", "green", "amber", "red"]))
            StatusReport.objects.create(
                project=project,
                reported_on=today - datetime.timedelta(days=30 * months_ago + rng.randint(0, 9)),
                health=health,
                summary=rng.choice(
                    [
                        "Les ateliers avec les usagers avancent comme prévu.",
                        "Retard sur l'accès aux données, en cours de résolution.",
                        "Premiers retours positifs des agents de la Caf pilote.",
                    ]
                ),
                author=project.lead,
            )
        Project.objects.filter(pk=project.pk).update(health=health, health_reported_on=today)

        blocker = BlockerLever.objects.create(
            project=project,
            kind=BlockerLever.Kind.BLOCKER,
            text=rng.choice(
                [
                    "Validation juridique du traitement de données attendue.",
                    "Disponibilité des agents de la Caf pilote pendant la campagne.",
                    "Financement de la phase suivante non arbitré.",
                ]
            ),
            owner=project.lead,
            status=rng.choice(["open", "open", "lifted"]),
        )
        if blocker.status == "open" and "non arbitré" in blocker.text:
            # The team put it to the direction ("à arbitrer"): the cockpit lists it first.
            blocker.escalated_on = today - datetime.timedelta(days=3 + number % 15)
            blocker.escalated_by = project.lead
            blocker.save(update_fields=["escalated_on", "escalated_by"])
        BlockerLever.objects.create(
            project=project,
            kind=BlockerLever.Kind.LEVER,
            text="Appui de la direction sponsor pour mobiliser d'autres Caf.",
            owner=lab,
        )
        if PIPELINE.index(path[-2] if path[-1] not in PIPELINE else path[-1]) >= 2:
            Prototype.objects.create(
                project=project,
                kind=rng.choice(["paper", "mockup", "clickable", "service"]),
                version="2",
                tested_on=(started + datetime.timedelta(days=60)).date(),
                users_tested=rng.randint(5, 25),
                user_tests="Tests en accueil avec des allocataires volontaires.",
                findings="Le vocabulaire administratif reste le premier obstacle.",
            )
        ProjectEvent.objects.create(
            project=project,
            occurred_on=started.date(),
            kind=ProjectEvent.Kind.LAUNCH,
            title="Lancement du projet",
        )

        if final in (Stage.ESSAIMAGE, Stage.GENERALISED):
            for caf in rng.sample(deploy_cafs, rng.randint(3, 9)):
                reached = rng.randint(0, 3)
                deployment = Deployment.objects.create(
                    project=project,
                    caf=caf,
                    status=DEPLOYMENT_FLOW[reached],
                    declared_by=lab,
                    # The Caf's correspondent leads it locally, when the demo has one.
                    local_lead=local_leads.get(caf.pk),
                )
                moment = moments[-1] if moments else started
                previous_status = ""
                for status in DEPLOYMENT_FLOW[: reached + 1]:
                    moment = moment + (now - moment) * rng.uniform(0.1, 0.5)
                    change = DeploymentChange.objects.create(
                        deployment=deployment,
                        from_status=previous_status,
                        to_status=status,
                        changed_by=lab,
                    )
                    DeploymentChange.objects.filter(pk=change.pk).update(changed_at=moment)
                    previous_status = status
                Deployment.objects.filter(pk=deployment.pk).update(status_changed_at=moment)
    stdout.write(f"  portefeuille : {len(PROJECTS)} projets")


def next_of(stage: str) -> str:
    return PIPELINE[PIPELINE.index(stage) + 1]


def _sponsor(drawn: "Directorate", number: int, directorates: list["Directorate"]) -> "Directorate":
    """Every fifth project is sponsored by the demo directorate account's directorate (the
    first one), so its home and the cockpit's arbitrations have something to show; the draw
    is kept so the rest of the demo stays the same."""
    if number % 5 == 1:
        return min(directorates, key=lambda d: d.pk)
    return drawn
