"""Default gate criteria per target stage (weighted 1-5, some blocking). Editable in the admin."""

from django.db import migrations

# (target stage, label, description, weight, blocking)
CRITERIA = [
    ("creativity", "Problème usager documenté", "Le problème est décrit du point de vue des usagers, avec des faits.", 3, True),
    ("creativity", "Direction ou Caf prête à s'impliquer", "Un sponsor ou une Caf pilote est identifié.", 2, False),
    ("creativity", "Alignement avec la COG", "Le projet sert au moins une ambition de la COG 2023-2027.", 1, False),
    ("prototype", "Pistes issues de la séance de créativité", "La séance a produit des pistes priorisées avec les participants.", 3, True),
    ("prototype", "Usagers associés au prototypage", "Des usagers ou des agents testeront le prototype.", 2, False),
    ("prototype", "Faisabilité technique et juridique", "Premiers échanges avec la DSI et le juridique.", 2, False),
    ("experimentation", "Prototype testé avec des usagers", "Des tests utilisateurs ont eu lieu et leurs enseignements sont consignés.", 3, True),
    ("experimentation", "Protocole et indicateurs définis", "Le protocole d'expérimentation, les indicateurs et leur valeur de départ sont définis.", 3, True),
    ("experimentation", "Hypothèses d'effets négatifs listées", "Les effets négatifs possibles et leur mesure sont identifiés.", 2, True),
    ("experimentation", "Pré-évaluation écologique réalisée", "L'impact environnemental a fait l'objet d'une première évaluation.", 1, False),
    ("experimentation", "Caf pilote(s) engagée(s)", "Au moins une Caf s'est engagée à expérimenter.", 2, False),
    ("essaimage", "Résultats de l'expérimentation probants", "Les indicateurs montrent un effet positif et les effets négatifs sont maîtrisés.", 3, True),
    ("essaimage", "Modèle documenté et transférable", "Un kit d'essaimage décrit le modèle, ses conditions de réussite et ses coûts.", 2, False),
    ("essaimage", "Caf intéressées identifiées", "D'autres Caf ont manifesté leur intérêt.", 1, False),
    ("generalised", "Essaimage réussi dans plusieurs Caf", "Le projet fonctionne dans plusieurs Caf de profils différents.", 3, True),
    ("generalised", "Soutenabilité budgétaire et organisationnelle", "Le coût de généralisation est chiffré et financé.", 3, True),
    ("generalised", "Décision de la direction sponsor", "La direction sponsor porte la généralisation.", 2, False),
]


def seed(apps, schema_editor):
    GateCriterion = apps.get_model("projects", "GateCriterion")
    for position, (stage, label, description, weight, blocking) in enumerate(CRITERIA):
        GateCriterion.objects.update_or_create(
            target_stage=stage,
            label=label,
            defaults={
                "description": description,
                "weight": weight,
                "is_blocking": blocking,
                "position": position,
            },
        )


def unseed(apps, schema_editor):
    GateCriterion = apps.get_model("projects", "GateCriterion")
    GateCriterion.objects.filter(label__in=[c[1] for c in CRITERIA], scores__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
