"""Reference data that must always exist after `migrate`: Cnaf directorates, themes, programmes
and the COG 2023-2027 axes and ambitions.

Frozen here (not imported from app code) so that replaying the history gives the same rows.
Idempotent (update_or_create by natural key) and reversible. Everything below is editable in
the admin afterwards: the lab manages its reference data there.
"""

from django.db import migrations

# (acronym, name) of the Cnaf business directorates (directions métiers).
DIRECTORATES = [
    ("DPFS", "Direction des politiques familiales et sociales"),
    ("DR", "Direction du réseau"),
    ("DSER", "Direction des statistiques, des études et de la recherche"),
    ("DSI", "Direction du système d'information"),
    ("DRS", "Direction de la relation de service"),
    ("DCF", "Direction comptable et financière"),
    ("DRH", "Direction des ressources humaines"),
    ("DCom", "Direction de la communication"),
    ("DES", "Direction de l'évaluation et de la stratégie"),
    ("DAJ", "Direction des affaires juridiques"),
]

# (slug, name)
THEMES = [
    ("petite-enfance", "Petite enfance"),
    ("parentalite", "Parentalité"),
    ("jeunesse", "Jeunesse"),
    ("logement", "Logement"),
    ("acces-aux-droits", "Accès aux droits"),
    ("handicap", "Handicap"),
    ("solidarite-et-insertion", "Solidarité et insertion"),
    ("relation-de-service", "Relation de service"),
    ("inclusion-numerique", "Inclusion numérique"),
    ("transition-ecologique", "Transition écologique"),
    ("animation-de-la-vie-sociale", "Animation de la vie sociale"),
    ("lutte-contre-la-pauvrete", "Lutte contre la pauvreté"),
]

# (slug, name, description)
PROGRAMMES = [
    (
        "transition-ecologique",
        "Transition écologique",
        "Programme d'innovation « solidarité et durabilité » : repère les projets qui contribuent"
        " à la transition écologique et évalue leur impact environnemental et social.",
    ),
    (
        "incubateur",
        "Incubateur",
        "Développe des projets locaux nés du terrain, avec des partenaires et des structures de"
        " l'économie sociale et solidaire.",
    ),
    (
        "lab-parentalite",
        "Lab Parentalité",
        "Communauté permanente de parents, à Grenoble, qui conçoit avec la branche Famille les"
        " services qui les concernent.",
    ),
    (
        "evaluation-participative",
        "Évaluation participative",
        "Méthode qui mesure, avec les usagers et les parties prenantes, les effets positifs et"
        " négatifs de chaque innovation.",
    ),
    (
        "prototypage-et-essaimage",
        "Prototypage et essaimage",
        "Méthode pour passer d'une séance de créativité à un prototype, l'expérimenter puis"
        " l'essaimer dans d'autres Caf.",
    ),
]

# COG 2023-2027: a working structure of axes and ambitions so that projects can be tagged from
# day one. The final wording is the Cnaf's: it is editable in the admin (CogAxis, with its
# ambitions inline), and the numbers are the stable keys.
COG = [
    (
        1,
        "Simplifier et sécuriser l'accès aux droits",
        [
            (1, "Aller vers les allocataires et lutter contre le non-recours"),
            (2, "Verser le juste droit au bon moment et simplifier les démarches"),
            (3, "Accompagner les allocataires aux moments clés de la vie"),
        ],
    ),
    (
        2,
        "Développer l'accueil du jeune enfant et le soutien à la parentalité",
        [
            (1, "Construire le service public de la petite enfance avec les collectivités"),
            (2, "Améliorer la qualité et l'accessibilité de l'accueil, y compris des enfants en"
                " situation de handicap"),
            (3, "Renforcer le soutien à la parentalité et prévenir les séparations conflictuelles"),
        ],
    ),
    (
        3,
        "Accompagner la jeunesse et renforcer la vie sociale des territoires",
        [
            (1, "Soutenir l'autonomie, l'engagement et les loisirs des jeunes"),
            (2, "Développer l'animation de la vie sociale et les centres sociaux"),
            (3, "Favoriser l'accès au logement et prévenir les expulsions"),
        ],
    ),
    (
        4,
        "Améliorer la relation de service et transformer le réseau",
        [
            (1, "Offrir une relation de service accessible, omnicanale et inclusive"),
            (2, "Innover avec les usagers et les agents, et essaimer les réussites"),
            (3, "Moderniser le système d'information et piloter par la donnée"),
            (4, "Engager la branche Famille dans la transition écologique"),
        ],
    ),
]


def seed(apps, schema_editor):
    Directorate = apps.get_model("network", "Directorate")
    Theme = apps.get_model("network", "Theme")
    Programme = apps.get_model("network", "Programme")
    CogAxis = apps.get_model("network", "CogAxis")
    CogAmbition = apps.get_model("network", "CogAmbition")

    for acronym, name in DIRECTORATES:
        Directorate.objects.update_or_create(acronym=acronym, defaults={"name": name})
    for slug, name in THEMES:
        Theme.objects.update_or_create(slug=slug, defaults={"name": name})
    for slug, name, description in PROGRAMMES:
        Programme.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
    for axis_number, axis_title, ambitions in COG:
        axis, _ = CogAxis.objects.update_or_create(
            number=axis_number, defaults={"title": axis_title}
        )
        for number, title in ambitions:
            CogAmbition.objects.update_or_create(
                axis=axis, number=number, defaults={"title": title}
            )


def unseed(apps, schema_editor):
    Directorate = apps.get_model("network", "Directorate")
    Theme = apps.get_model("network", "Theme")
    Programme = apps.get_model("network", "Programme")
    CogAxis = apps.get_model("network", "CogAxis")
    CogAmbition = apps.get_model("network", "CogAmbition")

    axis_numbers = [number for number, _, _ in COG]
    CogAmbition.objects.filter(axis__number__in=axis_numbers).delete()
    CogAxis.objects.filter(number__in=axis_numbers).delete()
    Programme.objects.filter(slug__in=[slug for slug, _, _ in PROGRAMMES]).delete()
    Theme.objects.filter(slug__in=[slug for slug, _ in THEMES]).delete()
    Directorate.objects.filter(acronym__in=[acronym for acronym, _ in DIRECTORATES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("network", "0002_seed_regions_and_cafs"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
