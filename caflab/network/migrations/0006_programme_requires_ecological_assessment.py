"""The ecological-transition programme is told by a flag, not by its name: its projects need
their ecological assessment before the gate into experimentation."""

from django.db import migrations, models

ECOLOGICAL_PROGRAMME = "transition-ecologique"


def flag_ecological_programme(apps, schema_editor):
    Programme = apps.get_model("network", "Programme")
    Programme.objects.filter(slug=ECOLOGICAL_PROGRAMME).update(requires_ecological_assessment=True)


def unflag(apps, schema_editor):
    """The column goes with the reverse of AddField."""


class Migration(migrations.Migration):
    dependencies = [
        ("network", "0005_cog_ambition_target"),
    ]

    operations = [
        migrations.AddField(
            model_name="programme",
            name="requires_ecological_assessment",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "Les projets du programme doivent avoir leur évaluation de la transition "
                    "écologique (sept objectifs) avant la revue de passage vers l’expérimentation."
                ),
                verbose_name="évaluation écologique exigée",
            ),
        ),
        migrations.RunPython(flag_ecological_programme, unflag),
    ]
