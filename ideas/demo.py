"""Demo idea box: about 150 ideas of the box, across every status,
with their history, supports, threaded comments, follows and some triage scores. A dozen are
accepted and linked to existing demo projects (as their origin); the same need proposed in
several Caf is merged into the first proposal.

Rows are written directly (not through the services) so that histories can be dated in the
past and no notification storm is sent. It runs once: skipped when such ideas exist. Ideas from
challenges and creativity sessions are seeded by the sessions' demo.

Then a dozen ideas born of the demo's contributions and initiatives, through the services
(`seed_lineage`): the sources of "ideas by origin" are what the code does.

Seeded by `seed_demo` after the portfolio (accepted ideas point to its projects), the criées
and écoute (their contributions and initiatives become ideas).
"""

import datetime
import random
from typing import TextIO

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from caflab.accounts.models import NETWORK_ROLES, Role, User
from caflab.network.models import Caf, Theme
from caflab.notifications.models import Follow
from ideas.models import (
    Idea,
    IdeaComment,
    IdeaCommentReport,
    IdeaScore,
    IdeaStatusChange,
    IdeaSupport,
)
from projects.models import GateCriterion, Project
from projects.services.projects import project_origin_add

Status = Idea.Status
Source = Idea.Source
SOURCES = (Source.BOX,)

# (title, problem, solution, target publics)
IDEAS = [
    (
        "Rappel téléphonique au lieu de l'attente",
        "Les allocataires attendent plus de vingt minutes au téléphone et raccrochent avant d'avoir une réponse.",
        "Proposer d'être rappelé sur un créneau choisi, par le bon service.",
        "Tous les allocataires",
    ),
    (
        "Courriers de relance en langage clair",
        "Les courriers de relance des indus sont incompréhensibles : beaucoup d'allocataires viennent à l'accueil pour se les faire expliquer.",
        "Réécrire les courriers avec un panel d'allocataires et les tester avant envoi.",
        "Allocataires ayant un indu",
    ),
    (
        "Rendez-vous des droits pour les jeunes parents",
        "Les jeunes parents découvrent trop tard les aides auxquelles ils ont droit après une naissance.",
        "Un rendez-vous proactif proposé dans les trois mois suivant la naissance.",
        "Jeunes parents",
    ),
    (
        "Simulateur d'aide au logement pour les étudiants",
        "Les étudiants renoncent à demander l'aide au logement faute de savoir s'ils y ont droit.",
        "Un simulateur simplifié diffusé par les universités et les CROUS.",
        "Étudiants",
    ),
    (
        "Accueil sans rendez-vous repensé",
        "Les files d'attente à l'accueil découragent les allocataires les plus fragiles.",
        "Un agent d'orientation dès l'entrée qui oriente vers le bon guichet ou l'espace numérique.",
        "Allocataires en accueil physique",
    ),
    (
        "Médiation numérique dans les tiers-lieux",
        "Une partie des allocataires n'a ni équipement ni aisance numérique pour faire ses démarches.",
        "Des permanences de médiation numérique dans des tiers-lieux partenaires.",
        "Allocataires éloignés du numérique",
    ),
    (
        "Garde d'enfants en horaires atypiques",
        "Les parents qui travaillent tôt le matin ou tard le soir ne trouvent pas de mode de garde.",
        "Une mise en relation avec des assistantes maternelles acceptant ces horaires.",
        "Parents en horaires décalés",
    ),
    (
        "Parcours séparation simplifié",
        "Les parents qui se séparent doivent déclarer plusieurs fois la même information à plusieurs services.",
        "Un parcours unique de déclaration et d'accompagnement lors d'une séparation.",
        "Parents séparés",
    ),
    (
        "Pièces justificatives par photo",
        "Les allocataires envoient des pièces illisibles, ce qui allonge les délais de traitement.",
        "Un contrôle de lisibilité au moment de la prise de photo dans l'application.",
        "Tous les allocataires",
    ),
    (
        "Alerte avant la fin de droits",
        "Des familles perdent une prestation faute d'avoir renouvelé une déclaration à temps.",
        "Une alerte par SMS un mois avant la fin des droits, avec le lien vers la démarche.",
        "Familles",
    ),
    (
        "Ateliers budget pour les familles monoparentales",
        "Les familles monoparentales cumulent des difficultés budgétaires et ne connaissent pas les aides locales.",
        "Des ateliers collectifs animés avec les CCAS et les associations.",
        "Familles monoparentales",
    ),
    (
        "Visio avec un conseiller",
        "Les allocataires éloignés de l'agence doivent parfois faire une heure de route pour un rendez-vous.",
        "Des rendez-vous en visioconférence, avec partage d'écran pour les démarches.",
        "Allocataires en zone rurale",
    ),
    (
        "Traduction des courriers essentiels",
        "Les allocataires non francophones ne comprennent pas les courriers qui leur demandent des pièces.",
        "Une version traduite des dix courriers les plus envoyés, en ligne.",
        "Allocataires non francophones",
    ),
    (
        "Tableau de bord des communes",
        "Les communes ne savent pas quels services de la Caf existent sur leur territoire.",
        "Un tableau de bord partagé des services et des publics avec les communes.",
        "Élus et services des communes",
    ),
    (
        "Aide au logement des apprentis",
        "Les apprentis renoncent à des contrats faute de logement près de l'entreprise.",
        "Un accompagnement logement dès la signature du contrat, avec les CFA.",
        "Apprentis",
    ),
    (
        "Relais petite enfance itinérant",
        "En zone rurale, les parents et les assistantes maternelles sont loin de tout relais.",
        "Un relais petite enfance itinérant, dans un véhicule aménagé.",
        "Parents et assistantes maternelles",
    ),
    (
        "Formulaires pré-remplis",
        "Les allocataires ressaisissent des informations que la Caf connaît déjà.",
        "Pré-remplir les formulaires en ligne avec les données déjà connues.",
        "Tous les allocataires",
    ),
    (
        "Écrivains publics bénévoles",
        "Certains allocataires ne peuvent pas remplir seuls leurs formulaires papier.",
        "Un réseau d'écrivains publics bénévoles formés par la Caf.",
        "Allocataires en difficulté avec l'écrit",
    ),
    (
        "Vacances pour les familles qui ne partent jamais",
        "Un enfant sur trois ne part pas en vacances et les aides aux vacances sont peu utilisées.",
        "Un accompagnement des familles à la construction d'un premier départ.",
        "Familles à revenus modestes",
    ),
    (
        "Accueil des personnes sourdes",
        "Les personnes sourdes ou malentendantes ne peuvent pas joindre la Caf par téléphone.",
        "Un accès en langue des signes par visio et un tchat accessible.",
        "Personnes sourdes et malentendantes",
    ),
    (
        "Prévention des impayés de loyer",
        "Les impayés de loyer sont détectés trop tard, quand l'expulsion est déjà engagée.",
        "Un signalement précoce partagé avec les bailleurs sociaux et un contact proactif.",
        "Locataires en difficulté",
    ),
    (
        "Espace d'attente pour les enfants",
        "Les parents venus avec des enfants en bas âge ont du mal à suivre un rendez-vous.",
        "Un coin enfants aménagé et sécurisé dans chaque accueil.",
        "Parents",
    ),
    (
        "Réduire les papiers pour la prime d'activité",
        "Les déclarations trimestrielles découragent des travailleurs modestes de demander la prime d'activité.",
        "Utiliser les données de revenus déjà disponibles pour pré-remplir la déclaration.",
        "Travailleurs modestes",
    ),
    (
        "Agents mieux formés aux situations de handicap",
        "Les agents d'accueil se sentent démunis face à certaines situations de handicap.",
        "Des formations courtes co-construites avec des associations de personnes handicapées.",
        "Agents d'accueil",
    ),
    (
        "Partager les bonnes pratiques entre agents",
        "Les astuces des agents restent dans chaque équipe et ne circulent pas entre les Caf.",
        "Une courte vidéo mensuelle où une équipe présente une pratique qui marche.",
        "Agents du réseau",
    ),
    (
        "Covoiturage des allocataires vers l'agence",
        "Sans voiture, certains allocataires ne peuvent pas venir aux rendez-vous.",
        "Une mise en relation avec les plateformes de covoiturage solidaire locales.",
        "Allocataires sans véhicule",
    ),
    (
        "Prise de rendez-vous par SMS",
        "Prendre rendez-vous en ligne est difficile pour ceux qui n'ont qu'un téléphone simple.",
        "Une prise de rendez-vous par SMS avec des réponses courtes.",
        "Allocataires sans smartphone",
    ),
    (
        "Soutien aux aidants familiaux",
        "Les parents d'enfants handicapés s'épuisent et ne connaissent pas les dispositifs de répit.",
        "Un guide local du répit et un rendez-vous dédié.",
        "Parents aidants",
    ),
    (
        "Réemploi du matériel de puériculture",
        "Les familles modestes achètent du matériel de puériculture coûteux utilisé quelques mois.",
        "Une ressourcerie de matériel de puériculture avec une association locale.",
        "Jeunes parents",
    ),
    (
        "Repérer le non-recours avec les écoles",
        "Des familles ne demandent pas les aides auxquelles elles ont droit, alors que l'école les connaît.",
        "Une fiche simple remise aux familles par les écoles, avec un contact Caf.",
        "Familles avec enfants scolarisés",
    ),
]

COMMENTS = [
    "Même constat dans notre Caf, surtout au moment de la rentrée.",
    "Nous avons testé quelque chose d'approchant l'an dernier : je peux partager le bilan.",
    "Attention à la charge des équipes d'accueil si cela se généralise.",
    "Très bonne idée, les allocataires nous le demandent souvent.",
    "Il faudrait associer des usagers dès le départ.",
    "Le service juridique devrait être consulté sur ce point.",
]
REPLIES = [
    "Merci, je veux bien le bilan !",
    "D'accord, on peut en parler lors de la prochaine réunion du réseau.",
    "Bonne remarque, je l'ajoute à l'idée.",
]
DECLINE_REASONS = [
    "Le besoin est déjà couvert par un dispositif national en cours de déploiement.",
    "Hors du champ d'action de la branche Famille ; l'idée est transmise au partenaire concerné.",
    "Le coût est disproportionné au regard du nombre de personnes concernées.",
]

# How many ideas end in each status (about 150 in all).
STATUS_PLAN = [
    (Status.SUBMITTED, 42),
    (Status.UNDER_REVIEW, 30),
    (Status.ACCEPTED, 12),
    (Status.MERGED, 20),
    (Status.SHELVED, 16),
    (Status.DECLINED, 30),
]
EXTRA_AGENTS = 24


def seed(stdout: TextIO) -> None:
    """Challenges and sessions first (their ideas), then the idea box."""
    from ideas import demo_sessions

    demo_sessions.seed(stdout)
    seed_ideas(stdout)
    seed_lineage(stdout)


def seed_lineage(stdout: TextIO) -> None:
    """Ideas born of the demo's contributions and initiatives, through the same services as
    the pages (seeded after écoute and the criées: see LOCAL_APPS): what "ideas by origin"
    counts is what the code does. One of each becomes a project."""
    from ideas.services.ideas import idea_move
    from ideas.services.lineage import idea_from_origin
    from projects.origins import kinds

    if Idea.objects.filter(origin_type__isnull=False).exists():
        stdout.write("  idées nées de contributions et d'initiatives : déjà présentes")
        return
    lab = User.objects.get(email="labo@caflab.demo")
    made = 0
    for kind in kinds():
        sources = [
            source
            for source in kind.model_class.objects.order_by("pk")[:200]
            if kind.may_convert(lab, source)
        ][:6]
        for number, source in enumerate(sources):
            idea = idea_from_origin(source=source, by=lab)
            made += 1
            if number == 0:
                idea_move(
                    idea=idea,
                    by=lab,
                    to_status=Idea.Status.ACCEPTED,
                    reason="Retenue par le laboratoire : un besoin partagé par plusieurs Caf.",
                )
            elif number == 1:
                idea_move(
                    idea=idea,
                    by=lab,
                    to_status=Idea.Status.UNDER_REVIEW,
                    reason="À l'étude avec la direction concernée.",
                )
    stdout.write(f"  idées nées de contributions et d'initiatives : {made}")


def seed_ideas(stdout: TextIO) -> None:
    if Idea.objects.filter(source__in=SOURCES).exists():
        stdout.write("  boîte à idées : déjà présente")
        return
    rng = random.Random(2604)  # the same demo every time
    now = timezone.now()
    today = timezone.localdate()
    lab = User.objects.get(email="labo@caflab.demo")
    cafs = list(Caf.objects.order_by("position"))
    themes = list(Theme.objects.all())
    people = _people(rng, cafs)
    authors = [u for u in people if u.role in (Role.AGENT, Role.CORRESPONDENT, Role.LAB_STAFF)]
    correspondents = [u for u in people if u.role == Role.CORRESPONDENT]
    criteria = list(GateCriterion.objects.for_ideas())
    projects = list(Project.objects.filter(is_draft=False).order_by("code"))
    idea_type = ContentType.objects.get_for_model(Idea)

    statuses = [status for status, count in STATUS_PLAN for _ in range(count)]
    rng.shuffle(statuses)
    # Merged ideas join the first proposal of the same need: keep them after it.
    statuses.sort(key=lambda s: s == Status.MERGED)
    first_of: dict[int, Idea] = {}
    changes, supports, follows, scores = [], [], [], []
    accepted_projects = iter(rng.sample(projects, min(len(projects), 12)))
    counts = {status: 0 for status, _count in STATUS_PLAN}

    for number, status in enumerate(statuses):
        base = number % len(IDEAS)
        title, problem, solution, publics = IDEAS[base]
        author = rng.choice(authors)
        caf = author.caf or rng.choice(cafs)
        created = now - datetime.timedelta(days=rng.randint(5, 540), hours=rng.randint(0, 23))
        target = first_of.get(base)
        project = None
        if status == Status.MERGED and target is None:
            status = Status.SUBMITTED  # no earlier proposal of that need to join
        if status == Status.ACCEPTED:
            project = next(accepted_projects, None)
            if project is None:
                status = Status.UNDER_REVIEW
        counts[status] += 1
        decided = created + (now - created) * rng.uniform(0.3, 0.9)
        idea = Idea.objects.create(
            title=title if base not in first_of else f"{title} ({caf.name})",
            problem=problem,
            solution=solution if number % 5 else "",
            target_publics=publics,
            caf=caf,
            author=author,
            source=Source.BOX,
            status=status,
            status_changed_at=decided if status != Status.SUBMITTED else created,
            revisit_on=today + datetime.timedelta(days=rng.randint(10, 200))
            if status == Status.SHELVED
            else None,
            merged_into=target if status == Status.MERGED else None,
            project=project if status == Status.ACCEPTED else None,
            reviewer=None if status == Status.SUBMITTED else rng.choice([lab, *correspondents]),
            reviewed_at=decided if status not in (Status.SUBMITTED, Status.UNDER_REVIEW) else None,
        )
        Idea.objects.filter(pk=idea.pk).update(created_at=created, updated_at=decided)
        idea.themes.set(rng.sample(themes, min(len(themes), rng.randint(1, 2))))
        if number % 7 == 0:
            idea.co_authors.set([u for u in rng.sample(authors, 2) if u.pk != author.pk][:1])
        first_of.setdefault(base, idea)

        changes.append(
            IdeaStatusChange(
                idea=idea,
                to_status=Status.SUBMITTED,
                reason="Idée soumise.",
                changed_by=author,
                changed_at=created,
            )
        )
        if status != Status.SUBMITTED:
            review_start = created + (decided - created) * 0.3
            changes.append(
                IdeaStatusChange(
                    idea=idea,
                    from_status=Status.SUBMITTED,
                    to_status=Status.UNDER_REVIEW,
                    reason="L'idée est examinée par le comité de tri.",
                    changed_by=lab,
                    changed_at=review_start,
                )
            )
            if status != Status.UNDER_REVIEW:
                changes.append(
                    IdeaStatusChange(
                        idea=idea,
                        from_status=Status.UNDER_REVIEW,
                        to_status=status,
                        reason=_reason(rng, idea, status),
                        changed_by=lab,
                        changed_at=decided,
                    )
                )
        if status == Status.ACCEPTED:
            project_origin_add(project=project, source=idea)
        if status in (Status.UNDER_REVIEW, Status.ACCEPTED, Status.SHELVED) and criteria:
            scores += [
                IdeaScore(idea=idea, criterion=c, reviewer=lab, score=rng.randint(2, 5))
                for c in criteria
            ]

        fans = rng.sample(people, rng.randint(0, min(9, len(people))))
        supports += [IdeaSupport(idea=idea, user=u) for u in fans if u.pk != author.pk]
        follows.append(Follow(user=author, content_type=idea_type, object_id=idea.pk))
        if number % 3 == 0:
            commenters = rng.sample([u for u in people if u.pk != author.pk], 2)
            thread = IdeaComment.objects.create(
                idea=idea, author=commenters[0], text=rng.choice(COMMENTS)
            )
            IdeaComment.objects.create(
                idea=idea, author=author, parent=thread, text=rng.choice(REPLIES)
            )
            if number % 9 == 0:
                IdeaComment.objects.create(
                    idea=idea, author=commenters[1], text=rng.choice(COMMENTS)
                )
            follows.append(Follow(user=commenters[0], content_type=idea_type, object_id=idea.pk))

    # One idea comment hidden after reports, for the one moderation queue.
    reported = IdeaComment.objects.filter(parent=None).order_by("pk").first()
    if reported is not None:
        reporters = [u for u in people if u.pk != reported.author_id][:3]
        IdeaCommentReport.objects.bulk_create(
            IdeaCommentReport(comment=reported, reporter=u, reason="Propos blessants")
            for u in reporters
        )
        reported.status = IdeaComment.Status.REPORTED
        reported.save(update_fields=["status", "updated_at"])
    IdeaStatusChange.objects.bulk_create(changes)
    IdeaSupport.objects.bulk_create(supports, ignore_conflicts=True)
    Follow.objects.bulk_create(follows, ignore_conflicts=True)
    IdeaScore.objects.bulk_create(scores, ignore_conflicts=True)
    summary = ", ".join(f"{Status(s).label.lower()} {n}" for s, n in counts.items())
    stdout.write(f"  boîte à idées : {len(statuses)} idées ({summary})")


def _people(rng: random.Random, cafs: list[Caf]) -> list[User]:
    """The demo network members, plus a few agents across the network (no password: they
    exist to support and comment), so that supports come from many Caf."""
    first_names = ["Nadia", "Julien", "Sophie", "Karim", "Élodie", "Thomas", "Inès", "Marc"]
    last_names = ["Durand", "Lefèvre", "Bernard", "Haddad", "Morel", "Girard", "Nguyen", "Blanc"]
    existing = set(User.objects.values_list("email", flat=True))
    new_agents = []
    for n in range(EXTRA_AGENTS):
        email = f"agent.{n + 1:02d}@caflab.demo"
        if email in existing:
            continue
        agent = User(
            email=email,
            first_name=first_names[n % len(first_names)],
            last_name=last_names[(n * 3) % len(last_names)],
            role=Role.AGENT,
            caf=rng.choice(cafs),
        )
        agent.set_unusable_password()
        new_agents.append(agent)
    User.objects.bulk_create(new_agents)
    return list(User.objects.active().filter(role__in=NETWORK_ROLES).order_by("pk"))


def _reason(rng: random.Random, idea: Idea, status: str) -> str:
    if status == Status.ACCEPTED:
        return (
            f"Le comité retient l'idée : elle devient le projet {idea.project.code}, "
            "avec une séance de créativité pour commencer."
        )
    if status == Status.MERGED:
        return (
            "La même proposition a été faite par une autre Caf : les deux idées sont réunies "
            "pour avancer ensemble."
        )
    if status == Status.SHELVED:
        return "Idée intéressante, mais les équipes sont mobilisées cette année ; à revoir."
    return rng.choice(DECLINE_REASONS)
