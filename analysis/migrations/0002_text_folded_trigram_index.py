"""The trigram index of the texts' folded form, for the coding list's word filter on a large
analysis (pg_trgm is installed by caflab.search's first migration)."""

import django.contrib.postgres.indexes
from django.db import migrations, models

import caflab.search.indexing


class Migration(migrations.Migration):
    dependencies = [
        ("analysis", "0001_initial"),
        ("search", "0001_text_search_configuration"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="analysistext",
            index=caflab.search.indexing.PostgresGinIndex(
                django.contrib.postgres.indexes.OpClass(models.F("folded"), name="gin_trgm_ops"),
                name="analysis_text_trgm_idx",
            ),
        ),
    ]
