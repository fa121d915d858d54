"""The "Ouvert au public" audience of challenges answered the citizens it announced with 404
(a challenge is for the network and its partners; citizens are consulted through écoute): the
option is removed and the challenges that had it are opened to agents and partners."""

from django.db import migrations, models


def to_agents_and_partners(apps, schema_editor):
    Challenge = apps.get_model("ideas", "Challenge")
    Challenge.objects.filter(audience="public").update(audience="agents_partners")


class Migration(migrations.Migration):
    dependencies = [
        ("ideas", "0004_alter_idea_source"),
    ]

    operations = [
        # Nothing to undo: "agents_partners" is a valid audience on both sides.
        migrations.RunPython(to_agents_and_partners, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="challenge",
            name="audience",
            field=models.CharField(
                choices=[
                    ("agents", "Agents du réseau"),
                    ("agents_partners", "Agents et partenaires"),
                ],
                default="agents",
                max_length=20,
                verbose_name="public",
            ),
        ),
    ]
