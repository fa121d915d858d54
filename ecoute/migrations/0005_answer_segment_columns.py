"""Answers carry their questionnaire and segment (copied from their response), and results are
kept computed: step 1, the new columns (nullable until filled) and the snapshot tables."""

import django.core.serializers.json
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ecoute", "0004_audit_trail"),
        ("network", "0004_caf_sirets"),
    ]

    operations = [
        migrations.AddField(
            model_name="answer",
            name="questionnaire",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="ecoute.questionnaire",
                verbose_name="questionnaire",
            ),
        ),
        migrations.AddField(
            model_name="answer",
            name="audience",
            field=models.CharField(
                choices=[("citizen", "Usager"), ("agent", "Agent"), ("partner", "Partenaire")],
                default="",
                max_length=10,
                verbose_name="public",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="answer",
            name="caf",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="network.caf",
                verbose_name="Caf",
            ),
        ),
        migrations.CreateModel(
            name="ResultsRefresh",
            fields=[
                (
                    "questionnaire",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="results_refresh",
                        serialize=False,
                        to="ecoute.questionnaire",
                        verbose_name="questionnaire",
                    ),
                ),
                ("is_pending", models.BooleanField(default=False, verbose_name="en attente")),
                (
                    "requested_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="demandé le"),
                ),
                (
                    "started_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="commencé le"),
                ),
                (
                    "finished_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="terminé le"),
                ),
                (
                    "duration_ms",
                    models.PositiveIntegerField(blank=True, null=True, verbose_name="durée (ms)"),
                ),
            ],
            options={
                "verbose_name": "calcul des résultats",
                "verbose_name_plural": "calculs des résultats",
                "ordering": ["-requested_at"],
                "indexes": [
                    models.Index(
                        fields=["is_pending", "requested_at"],
                        name="ecoute_resu_is_pend_0427fb_idx",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ResultsSnapshot",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "segment_key",
                    models.CharField(blank=True, max_length=40, verbose_name="segment"),
                ),
                (
                    "payload",
                    models.JSONField(
                        default=dict,
                        encoder=django.core.serializers.json.DjangoJSONEncoder,
                        verbose_name="agrégats",
                    ),
                ),
                (
                    "response_count",
                    models.PositiveIntegerField(default=0, verbose_name="réponses incluses"),
                ),
                ("computed_at", models.DateTimeField(verbose_name="calculés le")),
                (
                    "questionnaire",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="results_snapshots",
                        to="ecoute.questionnaire",
                        verbose_name="questionnaire",
                    ),
                ),
            ],
            options={
                "verbose_name": "résultats calculés",
                "verbose_name_plural": "résultats calculés",
                "ordering": ["questionnaire", "segment_key"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("questionnaire", "segment_key"),
                        name="results_snapshot_once_per_segment",
                    )
                ],
            },
        ),
    ]
