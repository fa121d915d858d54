"""The default triage scorecard for ideas (the gate mechanism, scorecard "idea")."""

from django.db import migrations

CRITERIA = [
    ("Problème usager avéré", "Le problème est vécu par des usagers ou des agents, avec des faits.", 3),
    ("Impact potentiel", "Nombre de personnes concernées et ampleur du changement attendu.", 3),
    ("Faisabilité", "Moyens, délais, contraintes juridiques et techniques.", 2),
    ("Alignement avec la COG", "L'idée sert une ambition de la COG 2023-2027.", 1),
    ("Transition écologique", "Effets sur l'environnement et la cohésion sociale.", 1),
]


def seed(apps, schema_editor):
    GateCriterion = apps.get_model("projects", "GateCriterion")
    for position, (label, description, weight) in enumerate(CRITERIA):
        GateCriterion.objects.update_or_create(
            scorecard="idea",
            target_stage="",
            label=label,
            challenge=None,
            defaults={"description": description, "weight": weight, "position": position},
        )


def unseed(apps, schema_editor):
    GateCriterion = apps.get_model("projects", "GateCriterion")
    GateCriterion.objects.filter(scorecard="idea", ideascores__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("projects", "0004_idea_sources_and_scorecards")]

    operations = [migrations.RunPython(seed, unseed)]
