# Texts of two more registered sources (a criée's comments, a programme's event syntheses and
# proposals: new source kinds, a change of choices only), and the waves of an analysis' texts
# kept on the analysis (the coding list's wave filter), filled for the existing analyses.
#
# Going back drops the column; the texts of the new kinds stay (a choice is not a constraint).

from django.db import migrations, models
from django.db.models import Min


def fill_waves(apps, schema_editor):
    Analysis = apps.get_model("analysis", "Analysis")
    AnalysisText = apps.get_model("analysis", "AnalysisText")
    with_waves = AnalysisText.objects.exclude(wave="").values("analysis_id").distinct()
    for analysis in Analysis.objects.filter(pk__in=with_waves).only("pk"):
        analysis.waves = list(
            AnalysisText.objects.filter(analysis_id=analysis.pk)
            .exclude(wave="")
            .values("wave")
            .annotate(first=Min("pk"))
            .order_by("first")
            .values_list("wave", flat=True)
        )
        analysis.save(update_fields=["waves"])


class Migration(migrations.Migration):
    dependencies = [
        ("analysis", "0005_sources_testimonies_surveys"),
    ]

    operations = [
        migrations.AddField(
            model_name="analysis",
            name="waves",
            field=models.JSONField(
                blank=True, default=list, editable=False, verbose_name="vagues des textes"
            ),
        ),
        migrations.AlterField(
            model_name="analysistext",
            name="source_kind",
            field=models.CharField(
                choices=[
                    ("answer", "Réponse écrite"),
                    ("other", "Réponse « autre, précisez »"),
                    ("contribution", "Contribution"),
                    ("testimony", "Témoignage"),
                    ("comment", "Commentaire"),
                    ("synthesis", "Synthèse d’événement"),
                    ("proposal", "Proposition issue d’un événement"),
                ],
                max_length=12,
                verbose_name="source",
            ),
        ),
        migrations.RunPython(fill_waves, migrations.RunPython.noop),
    ]
