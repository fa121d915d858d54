"""The "transformation interne" track (managerial practices, workspace layouts, digital
transformation) and a gate criteria set per track: a criterion with a blank track counts at
every track's gate, one with a track only at that track's. Seeds the new track's criteria at
each gate (editable in the admin); the reverse removes those never scored and retires the
others (a criterion scored at a review is kept: its scores point to it)."""

from django.db import migrations, models

TRACK = "transformation"

# (target stage, label, description, weight, blocking)
CRITERIA = [
    ("creativity", "Irritant vécu par les équipes documenté", "Les difficultés des agents ou des managers sont décrites avec eux, avec des faits.", 3, True),
    ("creativity", "Encadrement prêt à s’impliquer", "Une direction ou un encadrant de proximité porte la démarche.", 2, False),
    ("prototype", "Agents associés à la conception", "Les agents concernés co-construisent la nouvelle pratique, l’aménagement ou l’outil.", 3, True),
    ("prototype", "Dialogue social engagé", "Les représentants du personnel sont informés ou consultés selon le cas.", 2, False),
    ("experimentation", "Équipe pilote volontaire", "Au moins une équipe volontaire teste la nouvelle organisation.", 3, True),
    ("experimentation", "Effets sur la qualité de vie au travail mesurés", "Des indicateurs de qualité de vie et des conditions de travail sont définis avec leur valeur de départ.", 3, True),
    ("experimentation", "Accompagnement du changement prévu", "Formation, communication et soutien des managers sont prévus.", 2, False),
    ("essaimage", "Pratique adoptée par l’équipe pilote", "L’équipe pilote garde la nouvelle pratique et en décrit les conditions de réussite.", 3, True),
    ("essaimage", "Guide pour les autres sites", "Un guide décrit l’aménagement ou la pratique, ses coûts et ce qui peut être adapté.", 2, False),
    ("generalised", "Soutien de la direction des ressources humaines", "La DRH et l’encadrement portent la généralisation.", 3, True),
    ("generalised", "Coût et calendrier de déploiement chiffrés", "Le déploiement dans le réseau est chiffré et financé.", 2, False),
]


def seed(apps, schema_editor):
    GateCriterion = apps.get_model("projects", "GateCriterion")
    for position, (stage, label, description, weight, blocking) in enumerate(CRITERIA, 100):
        # Back after a reverse: the criterion it kept for its scores (retired, trackless) is
        # the track's again, not a second one.
        GateCriterion.objects.filter(
            scorecard="gate", target_stage=stage, track="", label=label, is_active=False
        ).update(track=TRACK, is_active=True)
        GateCriterion.objects.update_or_create(
            scorecard="gate",
            target_stage=stage,
            track=TRACK,
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
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        # The deferred foreign-key checks of the deletion would still be pending when the
        # schema changes that follow alter the table ("pending trigger events"): now, instead.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    ours = GateCriterion.objects.filter(track=TRACK)
    ours.filter(scores__isnull=True).delete()
    # Scored ones stay (PROTECT), retired: without the track they would join every gate.
    ours.update(is_active=False)
    if postgresql:
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):
    dependencies = [
        ("ideas", "0005_challenge_audience_without_public"),
        ("projects", "0015_origin_opt_out"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="gatecriterion",
            name="criterion_unique_label",
        ),
        migrations.AddField(
            model_name="gatecriterion",
            name="track",
            field=models.CharField(
                blank=True,
                choices=[
                    ("national_lab", "Lab national"),
                    ("local_incubator", "Incubateur local avec partenaires"),
                    ("transformation", "Transformation interne"),
                ],
                help_text="Vide : le critère vaut pour toutes les filières.",
                max_length=20,
                verbose_name="filière",
            ),
        ),
        migrations.AlterField(
            model_name="project",
            name="track",
            field=models.CharField(
                choices=[
                    ("national_lab", "Lab national"),
                    ("local_incubator", "Incubateur local avec partenaires"),
                    ("transformation", "Transformation interne"),
                ],
                default="national_lab",
                max_length=20,
                verbose_name="filière",
            ),
        ),
        migrations.AddConstraint(
            model_name="gatecriterion",
            constraint=models.UniqueConstraint(
                condition=models.Q(("challenge__isnull", True)),
                fields=("scorecard", "target_stage", "track", "label"),
                name="criterion_unique_label_per_track",
            ),
        ),
        migrations.RunPython(seed, unseed),
    ]
