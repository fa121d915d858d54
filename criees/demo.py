"""Demo criées: 60 local initiatives from 30 Caf (most published, a few submitted, returned or
draft), supports and comments, a held criée with its programme, interest and the lab's
decisions (one initiative promoted into the portfolio), and an upcoming criée open for
proposals.

Rows are written directly (not through the services) so that dates can be set in the past and
no notification storm is sent; it runs once (skipped when initiatives exist).
"""

import datetime
import random
from typing import TextIO

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from caflab.accounts.models import Role, User
from caflab.network.models import Caf, Theme
from criees.models import (
    Comment,
    CommentReport,
    Criee,
    Initiative,
    InitiativeMember,
    InitiativeStatusChange,
    InterestDeclaration,
    InterestLevel,
    Pitch,
    Public,
    Support,
)
from projects.models import Deployment, DeploymentChange, Stage, TeamMember
from projects.services import project_create

# The 30 Caf that share initiatives, the Isère (38) and the Rhône (69) first.
CAF_CODES = [
    "38", "69", "01", "06", "13", "21", "25", "29", "31", "33",
    "34", "35", "42", "44", "49", "54", "57", "59", "62", "63",
    "64", "67", "74", "75", "76", "80", "87", "93", "94", "974",
]  # fmt: skip

# (title, theme slugs, public slugs, summary, problem, actions, results)
INITIATIVES = [
    (
        "Permanences des droits en mairie rurale",
        ["acces-aux-droits"],
        ["familles", "precarite"],
        "Un agent de la Caf tient une permanence mensuelle dans les mairies des communes éloignées.",
        "Les familles rurales vivent à plus de quarante minutes d'un accueil de la Caf.",
        "Douze mairies accueillent une permanence d'une demi-journée par mois, sur rendez-vous ou sans.",
        "Trois cents personnes reçues la première année, dont un tiers qui ne connaissait pas ses droits.",
    ),
    (
        "Café des parents en centre social",
        ["parentalite", "animation-de-la-vie-sociale"],
        ["familles", "parents-isoles"],
        "Un temps d'échange convivial entre parents, animé avec un centre social.",
        "Les parents isolés ne connaissent pas les services de soutien à la parentalité.",
        "Un café mensuel animé par une conseillère et un animateur, avec une garde des enfants sur place.",
        "Quarante familles régulières, deux nouveaux groupes de parole créés par les parents.",
    ),
    (
        "Rendez-vous des droits à la naissance",
        ["acces-aux-droits", "petite-enfance"],
        ["jeunes-enfants"],
        "Chaque famille est appelée dans les trois mois suivant une naissance.",
        "Des familles ne demandent pas les aides auxquelles elles ont droit après une naissance.",
        "Un appel sortant puis, si besoin, un rendez-vous pour faire le point sur tous les droits.",
        "Le taux de recours au complément de libre choix du mode de garde a progressé de huit points.",
    ),
    (
        "Accueil sans rendez-vous repensé",
        ["relation-de-service"],
        ["familles", "precarite"],
        "Un agent volant oriente chaque personne dès l'entrée de l'accueil.",
        "Les files d'attente découragent les allocataires les plus fragiles.",
        "Un agent d'orientation, des bornes d'accompagnement et des créneaux courts réservés.",
        "Temps d'attente moyen divisé par deux, satisfaction en hausse de quinze points.",
    ),
    (
        "Courriers réécrits avec les usagers",
        ["relation-de-service"],
        ["familles"],
        "Les vingt courriers les plus envoyés réécrits en langage clair avec des allocataires.",
        "Un tiers des allocataires juge les courriers de la Caf incompréhensibles.",
        "Six ateliers de réécriture avec des usagers et des agents, tests de compréhension.",
        "Appels entrants sur ces courriers en baisse de vingt pour cent.",
    ),
    (
        "Ateliers numériques en médiathèque",
        ["inclusion-numerique"],
        ["precarite", "seniors"],
        "Des ateliers pour créer son compte et faire ses démarches en ligne, en médiathèque.",
        "Une partie des allocataires n'a ni équipement ni aisance numérique.",
        "Des ateliers hebdomadaires avec les médiathécaires formés par la Caf.",
        "Cent vingt personnes autonomes sur leur espace personnel en six mois.",
    ),
    (
        "Mise en relation des assistantes maternelles aux horaires atypiques",
        ["petite-enfance"],
        ["jeunes-enfants", "professionnels-petite-enfance"],
        "Une liste partagée des assistantes maternelles disponibles tôt le matin ou tard le soir.",
        "Les parents qui travaillent en horaires décalés ne trouvent pas de mode de garde.",
        "Un recensement avec le relais petite enfance et une mise à jour mensuelle.",
        "Soixante familles ont trouvé une solution de garde.",
    ),
    (
        "Référent jeunes sortants de l'aide sociale à l'enfance",
        ["jeunesse", "acces-aux-droits"],
        ["jeunes"],
        "Un référent Caf rencontre chaque jeune majeur sortant de l'aide sociale à l'enfance.",
        "Les jeunes majeurs sortant de l'ASE décrochent de leurs droits.",
        "Un rendez-vous à dix-huit ans, organisé avec le département, puis un suivi d'un an.",
        "Aucun jeune suivi n'a connu de rupture de droits.",
    ),
    (
        "Rappel des fins de droits par SMS",
        ["acces-aux-droits"],
        ["familles"],
        "Un SMS deux mois avant la fin d'un droit, puis un appel si rien ne bouge.",
        "Des allocataires découvrent la fin d'un droit au moment où il s'arrête.",
        "Un envoi automatique et une liste d'appels pour les conseillers.",
        "Ruptures de droits en baisse d'un quart.",
    ),
    (
        "Visio-accueil en maison France services",
        ["relation-de-service", "inclusion-numerique"],
        ["precarite"],
        "Des bornes de visio-accueil dans les maisons France services du département.",
        "Les allocataires ruraux sont loin d'un point d'accueil.",
        "Huit bornes installées, des créneaux de visio tenus par les conseillers de la Caf.",
        "Quatre cents visio-rendez-vous la première année.",
    ),
    (
        "Jardin partagé en centre social",
        ["animation-de-la-vie-sociale", "transition-ecologique"],
        ["familles"],
        "Un jardin cultivé par les familles du quartier avec le centre social.",
        "Les familles des quartiers manquent d'espaces de rencontre.",
        "Un terrain prêté par la ville, des ateliers de jardinage, des récoltes partagées.",
        "Trente familles impliquées, un marché solidaire chaque été.",
    ),
    (
        "Guichet unique des demandes de crèche",
        ["petite-enfance"],
        ["jeunes-enfants"],
        "Une seule demande de place pour toutes les crèches du territoire.",
        "Les familles déposent un dossier par crèche, sans visibilité.",
        "Un formulaire commun et une commission d'attribution partagée avec les communes.",
        "Délai de réponse ramené de six à deux mois.",
    ),
    (
        "Aide au logement des apprentis",
        ["logement", "jeunesse"],
        ["jeunes", "locataires"],
        "Un logement temporaire pour les apprentis loin de leur entreprise.",
        "Des apprentis renoncent à un contrat faute de logement.",
        "Une convention avec les foyers de jeunes travailleurs et les CFA.",
        "Quatre-vingts apprentis logés.",
    ),
    (
        "Permanences handicap avec la MDPH",
        ["handicap"],
        ["personnes-handicap", "familles"],
        "Des permanences communes Caf et MDPH pour les familles d'enfants handicapés.",
        "Les familles connaissent mal l'allocation d'éducation de l'enfant handicapé.",
        "Une permanence mensuelle partagée et un dossier commun.",
        "Demandes complètes du premier coup : de 40 à 75 %.",
    ),
    (
        "Agent de liaison avec les bailleurs sociaux",
        ["logement", "lutte-contre-la-pauvrete"],
        ["locataires", "precarite"],
        "Un circuit d'alerte précoce des impayés avec les bailleurs.",
        "Les impayés de loyer sont détectés trop tard.",
        "Un agent de liaison et une réunion mensuelle avec les trois bailleurs principaux.",
        "Expulsions évitées pour cinquante ménages.",
    ),
    (
        "Maraudes d'accès aux droits",
        ["lutte-contre-la-pauvrete", "acces-aux-droits"],
        ["precarite"],
        "Des maraudes avec les associations pour ouvrir les droits sur place.",
        "Des personnes sans domicile ne font valoir aucun droit.",
        "Un conseiller équipé d'une tablette accompagne les maraudes deux soirs par mois.",
        "Quatre-vingt-dix ouvertures de droits.",
    ),
    (
        "Forum des métiers de la petite enfance",
        ["petite-enfance"],
        ["professionnels-petite-enfance", "jeunes"],
        "Un forum de recrutement pour les crèches avec France Travail.",
        "Les crèches peinent à recruter.",
        "Un forum annuel, des visites de crèches, des témoignages de professionnels.",
        "Quarante recrutements.",
    ),
    (
        "Colis de naissance éco-conçu",
        ["petite-enfance", "transition-ecologique"],
        ["jeunes-enfants"],
        "Un colis remis à la maternité avec des produits durables et les informations utiles.",
        "Les jeunes parents manquent d'information pratique et de matériel.",
        "Un partenariat avec la maternité et une ressourcerie locale.",
        "Mille colis distribués, déclarations de grossesse plus précoces.",
    ),
    (
        "Médiation familiale en visio",
        ["parentalite"],
        ["familles"],
        "Des séances de médiation familiale à distance.",
        "Les délais d'attente en médiation familiale dépassent trois mois.",
        "Un service de médiation conventionné propose des séances en visio.",
        "Délai moyen ramené à trois semaines.",
    ),
    (
        "Parcours séparation",
        ["parentalite", "acces-aux-droits"],
        ["familles", "parents-isoles"],
        "Un interlocuteur unique pour les parents qui se séparent.",
        "Les parents qui se séparent déclarent plusieurs fois la même information.",
        "Un rendez-vous dédié, une fiche pratique et un lien avec l'Aripa.",
        "Pensions alimentaires mises en place plus vite.",
    ),
    (
        "Ambassadeurs usagers",
        ["relation-de-service"],
        ["familles"],
        "Des allocataires volontaires consultés sur les projets de la Caf.",
        "Les usagers ne sont pas associés à l'amélioration des services.",
        "Un panel de trente ambassadeurs réunis chaque trimestre.",
        "Cinq services revus avec le panel.",
    ),
    (
        "Tiers payant des loisirs des enfants",
        ["jeunesse", "lutte-contre-la-pauvrete"],
        ["familles", "precarite"],
        "La Caf paie directement les associations sportives et culturelles.",
        "Les familles modestes avancent les frais des loisirs des enfants.",
        "Une convention avec soixante associations et une carte loisirs.",
        "Six cents enfants inscrits à une activité.",
    ),
    (
        "Vélos électriques pour les agents",
        ["transition-ecologique"],
        ["agents"],
        "Une flotte de vélos à assistance électrique pour les déplacements professionnels.",
        "Les déplacements professionnels pèsent sur le bilan carbone de la Caf.",
        "Vingt vélos, un atelier d'entretien et une charte d'usage.",
        "Trois tonnes de CO2 évitées en un an.",
    ),
    (
        "Accueil des étudiants en résidence universitaire",
        ["jeunesse", "logement"],
        ["etudiants"],
        "Des permanences Caf dans les résidences universitaires à la rentrée.",
        "Les étudiants demandent tard leur aide au logement.",
        "Des permanences en septembre avec le Crous.",
        "Demandes d'aide au logement déposées un mois plus tôt.",
    ),
    (
        "Bus France services itinérant",
        ["acces-aux-droits", "inclusion-numerique"],
        ["seniors", "precarite"],
        "Un bus qui sillonne les communes sans service public.",
        "Les personnes âgées sans voiture ne peuvent pas se déplacer.",
        "Un bus partagé avec la CPAM et la MSA, une tournée hebdomadaire.",
        "Vingt communes desservies chaque mois.",
    ),
    (
        "Lieu d'accueil enfants-parents itinérant",
        ["parentalite", "petite-enfance"],
        ["jeunes-enfants", "familles"],
        "Un lieu d'accueil enfants-parents qui se déplace de village en village.",
        "Les parents de jeunes enfants en milieu rural sont isolés.",
        "Un accueil hebdomadaire dans cinq communes avec deux accueillantes.",
        "Cent familles accueillies.",
    ),
    (
        "Chèques énergie et rénovation",
        ["logement", "transition-ecologique"],
        ["locataires", "precarite"],
        "Un repérage des logements énergivores avec les opérateurs de rénovation.",
        "Des allocataires vivent dans des logements indécents et énergivores.",
        "Un signalement croisé et un accompagnement vers les aides à la rénovation.",
        "Cent logements rénovés.",
    ),
    (
        "Simulateur de prime d'activité en agence",
        ["acces-aux-droits"],
        ["precarite", "jeunes"],
        "Un simulateur utilisé avec l'agent d'accueil, imprimable.",
        "Les usagers hésitent à demander faute de connaître le montant.",
        "Une simulation systématique à l'accueil pour les personnes en emploi.",
        "Demandes de prime d'activité en hausse de douze pour cent.",
    ),
    (
        "Formation des agents à l'accueil des personnes sourdes",
        ["handicap", "relation-de-service"],
        ["personnes-handicap", "agents"],
        "Des agents formés à la langue des signes et un service de visio-interprétation.",
        "Les personnes sourdes ne peuvent pas être reçues sans interprète.",
        "Une formation de quarante heures et un abonnement de visio-interprétation.",
        "Quinze agents formés, accueil possible tous les jours.",
    ),
    (
        "Ateliers budget en centre social",
        ["lutte-contre-la-pauvrete", "animation-de-la-vie-sociale"],
        ["precarite", "familles"],
        "Des ateliers collectifs pour gérer son budget et éviter le surendettement.",
        "Des familles découvrent leurs difficultés quand les dettes s'accumulent.",
        "Des ateliers mensuels animés avec une conseillère en économie sociale.",
        "Soixante familles accompagnées.",
    ),
]

# Second initiatives of the Caf: same kind of action, another angle.
VARIANTS = [
    "avec les partenaires locaux",
    "en quartier prioritaire",
    "pour les familles nombreuses",
    "en territoire rural",
]

RETURN_COMMENT = "Précisez les résultats obtenus et le coût, puis soumettez de nouveau."
COMMENTS = [
    "Bravo ! Combien d'agents ont été mobilisés ?",
    "Nous avons un projet proche : pouvons-nous échanger ?",
    "Quel a été le coût de la première année ?",
    "Très inspirant, nous allons en parler en comité de direction.",
]


def _people(cafs: list[Caf]) -> dict[int, dict[str, User | None]]:
    """For each Caf, an agent and its correspondent if it has one: the demo accounts for Isère
    and Rhône; for the others, one agent account that cannot sign in (no extra correspondent:
    the demo keeps its two correspondents, of Caf A and Caf B)."""
    people: dict[int, dict[str, User | None]] = {}
    unusable = make_password(None)
    for caf in cafs:
        agent = User.objects.filter(
            caf=caf, role=Role.AGENT, email__endswith="@caflab.demo"
        ).first()
        if agent is None:
            agent, _created = User.objects.get_or_create(
                email=f"agent.criees.{caf.code.lower()}@caflab.demo",
                defaults={
                    "first_name": "Agent",
                    "last_name": caf.department,
                    "role": Role.AGENT,
                    "caf": caf,
                    "password": unusable,
                },
            )
        correspondent = User.objects.filter(caf=caf, role=Role.CORRESPONDENT).first()
        people[caf.pk] = {"agent": agent, "correspondent": correspondent}
    return people


def _validator(people, caf_id: int, lab: User | None) -> User | None:
    return people[caf_id]["correspondent"] or lab


def _status_for(index: int) -> str:
    if index in (5, 17, 29, 41):
        return Initiative.Status.SUBMITTED
    if index in (11, 35, 53):
        return Initiative.Status.RETURNED
    if index in (23, 47, 59):
        return Initiative.Status.DRAFT
    return Initiative.Status.PUBLISHED


def _initiatives(cafs, people, now, rng) -> list[Initiative]:
    themes = {t.slug: t for t in Theme.objects.all()}
    publics = {p.slug: p for p in Public.objects.all()}
    lab = User.objects.filter(role=Role.LAB_STAFF).first()
    created = []
    for index in range(60):
        base = INITIATIVES[index % len(INITIATIVES)]
        title, theme_slugs, public_slugs, summary, problem, actions, results = base
        if index >= len(INITIATIVES):
            title = f"{title} {VARIANTS[index % len(VARIANTS)]}"
        caf = cafs[index % len(cafs)] if index < len(cafs) else cafs[(index * 7) % len(cafs)]
        author = people[caf.pk]["agent"]
        status = _status_for(index)
        created_at = now - datetime.timedelta(days=540 - index * 8)
        published_at = created_at + datetime.timedelta(days=12)
        initiative = Initiative.objects.create(
            title=title,
            summary=summary,
            problem=problem,
            actions=actions,
            results=results if status != Initiative.Status.DRAFT else "",
            cost_and_means="Temps d'agents redéployé, petit budget d'animation."
            if index % 3
            else "",
            contact=f"{author}, {caf.name}",
            caf=caf,
            status=status,
            status_changed_at=published_at if status == "published" else created_at,
            published_at=published_at if status == Initiative.Status.PUBLISHED else None,
            return_comment=RETURN_COMMENT if status == Initiative.Status.RETURNED else "",
            created_by=author,
        )
        Initiative.objects.filter(pk=initiative.pk).update(created_at=created_at)
        initiative.themes.set([themes[s] for s in theme_slugs if s in themes])
        initiative.publics.set([publics[s] for s in public_slugs if s in publics])
        InitiativeMember.objects.create(
            initiative=initiative, user=author, role=InitiativeMember.Role.LEAD
        )
        if index % 4 == 0 and people[caf.pk]["correspondent"]:
            InitiativeMember.objects.create(
                initiative=initiative, user=people[caf.pk]["correspondent"]
            )
        history = [("", Initiative.Status.DRAFT, created_at, author, "")]
        if status != Initiative.Status.DRAFT:
            history.append(
                (
                    Initiative.Status.DRAFT,
                    Initiative.Status.SUBMITTED,
                    created_at + datetime.timedelta(days=5),
                    author,
                    "",
                )
            )
        if status in (Initiative.Status.PUBLISHED, Initiative.Status.RETURNED):
            validator = _validator(people, caf.pk, lab) if index % 2 else lab
            comment = RETURN_COMMENT if status == Initiative.Status.RETURNED else ""
            history.append((Initiative.Status.SUBMITTED, status, published_at, validator, comment))
        InitiativeStatusChange.objects.bulk_create(
            InitiativeStatusChange(
                initiative=initiative,
                from_status=from_status,
                to_status=to_status,
                changed_at=at,
                changed_by=by,
                comment=comment,
            )
            for from_status, to_status, at, by, comment in history
        )
        created.append(initiative)
    return created


def _reactions(published, people, rng) -> None:
    everyone = [person for roles in people.values() for person in roles.values() if person]
    supports, comments = [], []
    for initiative in published:
        others = [p for p in everyone if p.caf_id != initiative.caf_id]
        for user in rng.sample(others, rng.randint(0, 8)):
            supports.append(Support(initiative=initiative, user=user))
        if rng.random() < 0.4:
            author = rng.choice(others)
            comments.append(
                Comment(initiative=initiative, author=author, text=rng.choice(COMMENTS))
            )
    Support.objects.bulk_create(supports)
    Comment.objects.bulk_create(comments)
    for comment in Comment.objects.filter(initiative__in=published)[:5]:
        lead = comment.initiative.members.filter(role="lead").first()
        if lead:
            Comment.objects.create(
                initiative=comment.initiative,
                parent=comment,
                author=lead.user,
                text="Merci ! Écrivez-nous, nous vous enverrons le bilan détaillé.",
            )
    # Something for the one moderation queue: a comment hidden after reports, one hidden by a
    # moderator, each with the reports that led there.
    moderator = User.objects.filter(role=Role.MODERATOR).first()
    for comment, status in zip(
        Comment.objects.filter(initiative__in=published, parent=None).order_by("pk")[5:7],
        (Comment.Status.REPORTED, Comment.Status.HIDDEN),
        strict=False,
    ):
        reporters = [p for p in everyone if p.pk != comment.author_id][:3]
        CommentReport.objects.bulk_create(
            CommentReport(comment=comment, reporter=r, reason="Hors sujet") for r in reporters
        )
        comment.status = status
        if status == Comment.Status.HIDDEN:
            comment.moderated_by, comment.moderated_at = moderator, timezone.now()
            comment.moderation_note = "Merci de rester sur le sujet de l'initiative."
        comment.save()


def _declare(initiative, caf, level, people, criee=None) -> InterestDeclaration:
    """Any agent declares for their Caf; "replicate" is the correspondent's (or the lab's)."""
    lab = User.objects.filter(role=Role.LAB_STAFF).first()
    agent = people[caf.pk]["agent"]
    declarer = _validator(people, caf.pk, lab) if level == "replicate" else agent
    interest, _created = InterestDeclaration.objects.update_or_create(
        initiative=initiative,
        caf=caf,
        defaults={
            "level": level,
            "contact_person": people[caf.pk]["correspondent"] or agent,
            "declared_by": declarer,
            "criee": criee,
            "comment": "Nous aimerions l'essayer dans notre Caf." if level == "replicate" else "",
        },
    )
    return interest


def _held_criee(published, cafs, people, now, rng) -> Criee:
    lab = User.objects.filter(role=Role.LAB_STAFF).first()
    criee = Criee.objects.create(
        title="Criée nationale : l'accès aux droits",
        description="Huit initiatives locales pour lutter contre le non-recours, en sept minutes chacune.",
        starts_at=(now - datetime.timedelta(days=45)).replace(hour=10, minute=0),
        format=Criee.Format.ONLINE,
        online_url="https://visio.caf.example/criee-acces-aux-droits",
        status=Criee.Status.HELD,
        status_changed_at=now - datetime.timedelta(days=45),
        follow_up_summary=(
            "Le lab accompagne l'essaimage du rendez-vous des droits à la naissance et met en "
            "relation les Caf intéressées par les permanences en mairie."
        ),
        created_by=lab,
    )
    criee.themes.set(Theme.objects.filter(slug__in=["acces-aux-droits", "relation-de-service"]))
    programme = published[:8]
    decisions = [Pitch.Decision.PROMOTE, Pitch.Decision.CONNECT, Pitch.Decision.WATCH]
    for position, initiative in enumerate(programme, start=1):
        pitch = Pitch.objects.create(
            criee=criee,
            initiative=initiative,
            status=Pitch.Status.SCHEDULED,
            position=position,
            slot_minutes=7,
            proposed_by=_validator(people, initiative.caf_id, lab),
            decision=decisions[position - 1] if position <= len(decisions) else "",
            decided_by=lab if position <= len(decisions) else None,
            decided_at=now - datetime.timedelta(days=30) if position <= len(decisions) else None,
        )
        pitch.presenters.set([people[initiative.caf_id]["agent"]])
        others = [c for c in cafs if c.pk != initiative.caf_id]
        levels = [InterestLevel.CURIOUS, InterestLevel.CONTACT, InterestLevel.REPLICATE]
        for caf in rng.sample(others, rng.randint(2, 7)):
            _declare(initiative, caf, rng.choice(levels), people, criee)
    return criee


def _promote(initiative, people, now) -> None:
    """The held criée's first initiative became a portfolio project at the essaimage stage."""
    lab = User.objects.filter(role=Role.LAB_STAFF).first()
    lead = initiative.members.get(role="lead").user
    project = project_create(
        by=lab or lead,
        lead=lead,
        title=initiative.title,
        problem=initiative.problem,
        solution=f"{initiative.summary}\n\n{initiative.actions}",
        stage=Stage.ESSAIMAGE,
        themes=initiative.themes.all(),
        origin=initiative,
        pilot_caf=initiative.caf,
        is_draft=False,
    )
    for member in initiative.members.exclude(user=lead):
        TeamMember.objects.get_or_create(
            project=project, user=member.user, defaults={"role": TeamMember.Role.MEMBER}
        )
    for interest in initiative.interests.filter(level=InterestLevel.REPLICATE):
        deployment = Deployment.objects.create(
            project=project,
            caf=interest.caf,
            declared_by=interest.declared_by,
            local_lead=interest.contact_person,
            comment=interest.comment,
        )
        DeploymentChange.objects.create(
            deployment=deployment, to_status=deployment.status, changed_by=interest.declared_by
        )
    Initiative.objects.filter(pk=initiative.pk).update(
        project=project, promoted_at=now - datetime.timedelta(days=30), promoted_by=lab
    )


def _upcoming_criee(published, people, now) -> Criee:
    lab = User.objects.filter(role=Role.LAB_STAFF).first()
    criee = Criee.objects.create(
        title="Criée petite enfance et parentalité",
        description="Les initiatives des Caf pour les jeunes enfants et leurs parents.",
        starts_at=(now + datetime.timedelta(days=21)).replace(hour=14, minute=0),
        format=Criee.Format.HYBRID,
        online_url="https://visio.caf.example/criee-petite-enfance",
        place="Cnaf, 32 avenue de la Sibelle, Paris",
        status=Criee.Status.OPEN,
        created_by=lab,
    )
    criee.themes.set(Theme.objects.filter(slug__in=["petite-enfance", "parentalite"]))
    candidates = [
        i for i in published[8:] if i.themes.filter(slug__in=["petite-enfance", "parentalite"])
    ][:5]
    for position, initiative in enumerate(candidates, start=1):
        scheduled = position <= 2
        pitch = Pitch.objects.create(
            criee=criee,
            initiative=initiative,
            status=Pitch.Status.SCHEDULED if scheduled else Pitch.Status.PROPOSED,
            position=position if scheduled else None,
            proposed_by=_validator(people, initiative.caf_id, lab),
        )
        if scheduled:
            pitch.presenters.set([people[initiative.caf_id]["agent"]])
    Criee.objects.create(
        title="Criée transition écologique",
        starts_at=(now + datetime.timedelta(days=90)).replace(hour=10, minute=0),
        format=Criee.Format.ONSITE,
        place="Caf du Rhône, Lyon",
        status=Criee.Status.PLANNED,
        created_by=lab,
    )
    return criee


def seed(stdout: TextIO) -> None:
    if Initiative.objects.exists():
        stdout.write("  criées : déjà présentes, rien à ajouter")
        return
    rng = random.Random(20260305)  # demo data, reproducible
    now = timezone.now()
    cafs = sorted(Caf.objects.filter(code__in=CAF_CODES), key=lambda c: CAF_CODES.index(c.code))
    people = _people(cafs)
    initiatives = _initiatives(cafs, people, now, rng)
    published = [i for i in initiatives if i.status == Initiative.Status.PUBLISHED]
    _reactions(published, people, rng)
    held = _held_criee(published, cafs, people, now, rng)
    first = held.pitches.order_by("position").first().initiative
    if not first.interests.filter(level=InterestLevel.REPLICATE).exists():
        _declare(first, cafs[1] if first.caf_id != cafs[1].pk else cafs[2], "replicate", people)
    _promote(first, people, now)
    for initiative in published[10:30:2]:  # interest outside the criées too
        others = [c for c in cafs if c.pk != initiative.caf_id]
        for caf in rng.sample(others, rng.randint(0, 3)):
            _declare(initiative, caf, rng.choice(InterestLevel.values), people)
    _upcoming_criee(published, people, now)
    stdout.write(
        f"  criées : {len(initiatives)} initiatives de {len(cafs)} Caf, "
        f"{Criee.objects.count()} criées, {InterestDeclaration.objects.count()} intérêts"
    )
