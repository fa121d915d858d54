"""A small French corpus with three clear subjects (waiting on the phone, letters hard to
understand, opening hours), varied enough for themes, plus a copy-paste campaign."""

import random

SUBJECTS = {
    "telephone": [
        "Impossible de joindre un conseiller au téléphone, l'attente est interminable.",
        "J'ai attendu une heure au téléphone avant qu'un conseiller réponde.",
        "Le téléphone sonne dans le vide, aucun conseiller ne décroche.",
        "Trop d'attente au téléphone pour parler à un conseiller.",
        "Les conseillers au téléphone sont injoignables, l'attente décourage.",
    ],
    "courriers": [
        "Les courriers sont incompréhensibles, le vocabulaire administratif est trop compliqué.",
        "Je ne comprends pas les courriers reçus, ils sont trop compliqués.",
        "Des courriers plus simples à comprendre, sans vocabulaire administratif.",
        "Le courrier de la Caf était incompréhensible, j'ai dû demander de l'aide.",
        "Simplifier les courriers, trop compliqués à comprendre pour les familles.",
    ],
    "horaires": [
        "Ouvrir l'accueil le samedi matin pour les parents qui travaillent.",
        "Des horaires d'ouverture plus larges, l'accueil ferme trop tôt.",
        "L'accueil devrait ouvrir le samedi et en soirée.",
        "Les horaires de l'accueil ne conviennent pas aux parents qui travaillent.",
        "Élargir les horaires d'ouverture de l'accueil, le samedi notamment.",
    ],
}
CONTEXTS = [
    "Je suis mère de trois enfants et je travaille à temps plein.",
    "Père isolé, je n'ai pas beaucoup de temps libre.",
    "Agent d'accueil depuis dix ans, je vois passer beaucoup de familles.",
    "Étudiante boursière, je touche l'aide au logement.",
    "Retraité, j'aide ma fille pour ses démarches.",
    "Nous sommes un couple avec un bébé de six mois.",
    "Je vis à la campagne, loin de l'agence la plus proche.",
    "Bénévole dans une association d'aide aux familles.",
]
CAMPAIGN = (
    "Nous demandons la réouverture de l'accueil de Vienne le samedi matin pour toutes les "
    "familles du secteur."
)


def corpus(n: int, *, seed: int = 2026, campaign: int = 0) -> list[str]:
    rng = random.Random(seed)
    subjects = list(SUBJECTS.values())
    texts = []
    for i in range(n):
        sentences = subjects[i % len(subjects)]
        months = rng.randint(1, 36)
        texts.append(
            f"{rng.choice(CONTEXTS)} Depuis {months} mois : {rng.choice(sentences)} "
            f"{rng.choice(sentences)}"
        )
    return texts + [CAMPAIGN] * campaign
