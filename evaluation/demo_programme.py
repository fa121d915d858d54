"""Demo of the ecological-transition programme, through the real services: the three evaluated
demo projects (their environmental indicators measured for two years) and four ecology-minded
projects join the programme (`project_update`); six are assessed on the seven objectives
(`ecological_assessment_save`; the first evaluated project's assessment comes from
demo_participation) with favourable, neutral and unfavourable ratings, one unfavourable rating
without mitigation; the project left unassessed asks for its gate review into experimentation
(`gate_request`), which the programme's rule blocks until its assessment exists. Runs once
(skipped when the programme has an unfavourable rating).
"""

from typing import TextIO

from caflab.accounts.models import Role, User
from caflab.network.models import Programme
from evaluation.models import EcologicalRating
from evaluation.services.judgements import ecological_assessment_save
from projects.models import Project, Stage
from projects.services import gate_request, project_update

Objective, Rating = EcologicalRating.Objective, EcologicalRating.Rating

# The projects of the programme (projects/demo.py and evaluation/demo.py titles).
EVALUATED = [
    "Accueil sans rendez-vous repensé",
    "Médiation numérique en tiers-lieux",
    "Visio-accueil en zone rurale",
]
# Ecology-minded projects of the portfolio; the last one is left unassessed.
OTHERS = [
    "Sobriété numérique des services en ligne",
    "Mobilité durable des agents",
    "Jardins partagés en centres sociaux",
    "Réemploi du mobilier des accueils",
]

# (objective: (rating, justification, mitigation)) per project, neutral where not named.
ASSESSMENTS = {
    "Médiation numérique en tiers-lieux": {
        Objective.CLIMATE_MITIGATION: (
            Rating.POSITIVE,
            "Les familles font leurs démarches près de chez elles : moins de trajets en voiture "
            "vers l'accueil de la Caf.",
            "",
        ),
        Objective.CIRCULAR_ECONOMY: (
            Rating.POSITIVE,
            "Les tiers-lieux prêtent des ordinateurs reconditionnés.",
            "",
        ),
        Objective.SOCIAL_COHESION: (
            Rating.POSITIVE,
            "Les ateliers collectifs rompent l'isolement numérique.",
            "",
        ),
    },
    "Visio-accueil en zone rurale": {
        Objective.CLIMATE_MITIGATION: (
            Rating.POSITIVE,
            "Les rendez-vous en visio évitent en moyenne 40 km aller-retour par famille.",
            "",
        ),
        Objective.CIRCULAR_ECONOMY: (
            Rating.NEGATIVE,
            "Chaque point de visio demande un écran et une caméra neufs.",
            "Matériel reconditionné acheté via l'UGAP ; reprise en fin de vie par le fournisseur.",
        ),
        Objective.SOCIAL_COHESION: (
            Rating.POSITIVE,
            "Les mairies rurales deviennent un lieu d'accès aux droits.",
            "",
        ),
    },
    "Sobriété numérique des services en ligne": {
        Objective.CLIMATE_MITIGATION: (
            Rating.POSITIVE,
            "Des pages deux fois plus légères : moins d'énergie consommée par consultation.",
            "",
        ),
        Objective.CIRCULAR_ECONOMY: (
            Rating.NEGATIVE,
            "La refonte suppose de remplacer une partie des serveurs de l'hébergeur.",
            "",  # no mitigation yet: a "go" at its next gate needs a written justification
        ),
    },
    "Mobilité durable des agents": {
        Objective.CLIMATE_MITIGATION: (
            Rating.POSITIVE,
            "Covoiturage et vélos de service : 18 % de trajets en voiture seule en moins.",
            "",
        ),
        Objective.POLLUTION: (
            Rating.POSITIVE,
            "Moins de particules fines aux abords des sites de la Caf.",
            "",
        ),
        Objective.SOCIAL_COHESION: (
            Rating.POSITIVE,
            "Le covoiturage rapproche les agents de services différents.",
            "",
        ),
    },
    "Jardins partagés en centres sociaux": {
        Objective.BIODIVERSITY: (
            Rating.POSITIVE,
            "Des parcelles fleuries et un hôtel à insectes dans chaque centre social.",
            "",
        ),
        Objective.WATER: (
            Rating.NEGATIVE,
            "L'arrosage des parcelles en été.",
            "Récupérateurs d'eau de pluie et paillage, arrosage le soir.",
        ),
        Objective.SOCIAL_COHESION: (
            Rating.POSITIVE,
            "Les familles du quartier jardinent ensemble.",
            "",
        ),
    },
}
NEUTRAL = (Rating.NEUTRAL, "Pas d'effet notable identifié sur cet objectif.", "")


def seed_programme(stdout: TextIO) -> None:
    programme = Programme.objects.filter(requires_ecological_assessment=True).first()
    if programme is None:
        return
    if programme.projects.filter(ecological_ratings__rating=Rating.NEGATIVE).exists():
        return
    projects = {
        project.title: project
        for project in Project.objects.filter(title__in=EVALUATED + OTHERS).select_related("lead")
    }
    for project in projects.values():
        project_update(
            project=project,
            previous_lead_id=project.lead_id,
            themes=project.themes.all(),
            programmes=[*project.programmes.all(), programme],
            cog_ambitions=project.cog_ambitions.all(),
            partners=project.partners.all(),
        )
    for title, ratings in ASSESSMENTS.items():
        project = projects.get(title)
        if project is None:
            continue
        ecological_assessment_save(
            project=project,
            ratings={objective: ratings.get(objective, NEUTRAL) for objective in Objective},
            by=project.lead,
        )
    # The last one has no assessment yet: its gate review into experimentation is blocked.
    waiting = projects.get(OTHERS[-1])
    if (
        waiting is not None
        and waiting.stage == Stage.PROTOTYPE
        and not waiting.gate_reviews.pending().exists()
    ):
        reviewer = User.objects.filter(role=Role.LAB_STAFF, is_active=True).order_by("pk").first()
        gate_request(
            project=waiting,
            by=waiting.lead,
            motivation="Le mobilier réemployé a équipé deux accueils pilotes ; nous voulons "
            "l'expérimenter dans cinq Caf.",
            to_stage=Stage.EXPERIMENTATION,
            reviewers=[reviewer] if reviewer else [],
        )
    stdout.write(
        f"  programme « {programme.name} » : {len(projects)} projets, "
        f"{len(ASSESSMENTS)} évaluations écologiques de plus\n"
    )
