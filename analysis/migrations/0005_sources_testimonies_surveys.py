# Analyses of sources other apps register (a project's testimonies, an evaluation survey's open
# answers): the consultation becomes optional, the source and its subject are kept, and the
# title is stored (filled from the consultation for the existing analyses).
#
# Going back: the schema before this one has no place for an analysis without a consultation,
# so those analyses (of testimonies, of surveys) are deleted with their codebook, coding and
# theme runs before the consultation becomes required again. Export them first.

import django.db.models.deletion
from django.db import migrations, models


def fill_titles(apps, schema_editor):
    Analysis = apps.get_model("analysis", "Analysis")
    for analysis in Analysis.objects.filter(consultation__isnull=False).select_related(
        "consultation"
    ):
        analysis.title = analysis.consultation.title[:200]
        analysis.save(update_fields=["title"])


# In SQL, children first: the ORM's collector, in a plan that takes several apps back at
# once, meets models rendered from different states.
ORPHANS = "SELECT id FROM analysis_analysis WHERE consultation_id IS NULL"
TEXTS = f"SELECT id FROM analysis_analysistext WHERE analysis_id IN ({ORPHANS})"
CODES = f"SELECT id FROM analysis_code WHERE analysis_id IN ({ORPHANS})"
RUNS = f"SELECT id FROM analysis_themerun WHERE analysis_id IN ({ORPHANS})"
THEMES = f"SELECT id FROM analysis_suggestedtheme WHERE run_id IN ({RUNS})"
DROP_ORPHANS = [
    f"DELETE FROM analysis_themetext WHERE theme_id IN ({THEMES}) OR text_id IN ({TEXTS})",
    f"UPDATE analysis_suggestedtheme SET merged_into_id = NULL WHERE run_id IN ({RUNS})",
    f"UPDATE analysis_suggestedtheme SET code_id = NULL WHERE code_id IN ({CODES})",
    f"DELETE FROM analysis_suggestedtheme WHERE run_id IN ({RUNS})",
    f"DELETE FROM analysis_themerun WHERE analysis_id IN ({ORPHANS})",
    "DELETE FROM analysis_blindcoding_codes WHERE code_id IN ({codes}) OR blindcoding_id IN "
    "(SELECT id FROM analysis_blindcoding WHERE text_id IN ({texts}))".format(
        codes=CODES, texts=TEXTS
    ),
    f"DELETE FROM analysis_blindcoding WHERE text_id IN ({TEXTS})",
    f"DELETE FROM analysis_codeassignment WHERE text_id IN ({TEXTS}) OR code_id IN ({CODES})",
    f"UPDATE analysis_analysistext SET duplicate_of_id = NULL WHERE analysis_id IN ({ORPHANS})",
    f"DELETE FROM analysis_analysistext WHERE analysis_id IN ({ORPHANS})",
    f"DELETE FROM analysis_code WHERE analysis_id IN ({ORPHANS}) AND parent_id IS NOT NULL",
    f"DELETE FROM analysis_code WHERE analysis_id IN ({ORPHANS})",
    f"UPDATE analysis_librarycodebook SET source_id = NULL WHERE source_id IN ({ORPHANS})",
    f"DELETE FROM analysis_analysisexport WHERE analysis_id IN ({ORPHANS})",
    "DELETE FROM analysis_analysis WHERE consultation_id IS NULL",
]


def drop_analyses_without_consultation(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for statement in DROP_ORPHANS:
            cursor.execute(statement)
        if schema_editor.connection.vendor == "postgresql":
            # The foreign keys are checked at commit; the table is altered next.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):

    dependencies = [
        ("analysis", "0004_agreement_and_library"),
        ("ecoute", "0019_restitution_reminder_step_unique"),
    ]

    operations = [
        migrations.AddField(
            model_name="analysis",
            name="source",
            field=models.CharField(default="consultation", max_length=40, verbose_name="source"),
        ),
        migrations.AddField(
            model_name="analysis",
            name="subject_id",
            field=models.BigIntegerField(
                blank=True, null=True, verbose_name="identifiant du sujet"
            ),
        ),
        migrations.AddField(
            model_name="analysis",
            name="title",
            field=models.CharField(blank=True, max_length=200, verbose_name="titre"),
        ),
        migrations.AlterField(
            model_name="analysis",
            name="consultation",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="analysis",
                to="ecoute.consultation",
                verbose_name="consultation",
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
                ],
                max_length=12,
                verbose_name="source",
            ),
        ),
        migrations.AddConstraint(
            model_name="analysis",
            constraint=models.UniqueConstraint(
                condition=models.Q(("subject_id__isnull", False)),
                fields=("source", "subject_id"),
                name="analysis_one_per_subject",
            ),
        ),
        migrations.AddConstraint(
            model_name="analysis",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("consultation__isnull", False), ("source", "consultation")),
                    models.Q(
                        models.Q(("source", "consultation"), _negated=True),
                        ("consultation__isnull", True),
                        ("subject_id__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="analysis_consultation_or_subject",
            ),
        ),
        migrations.RunPython(fill_titles, migrations.RunPython.noop),
        # Last, so that going back runs it first, while the consultation is still optional.
        migrations.RunPython(migrations.RunPython.noop, drop_analyses_without_consultation),
    ]
