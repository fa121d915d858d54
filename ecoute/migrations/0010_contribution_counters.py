# ruff: noqa: E501  (the triggers' SQL, as pgtrigger generates it)
"""Support and visible-comment counters on the contribution, kept by PostgreSQL (statement
triggers on the supports and comments tables, see ecoute.models.contributions), filled here
for the rows that exist. Elsewhere (SQLite) they stay at zero and the lists count."""

import pgtrigger.compiler
import pgtrigger.migrations
from django.conf import settings
from django.db import migrations, models

BACKFILL = """
UPDATE ecoute_contribution AS c
   SET supports_count = coalesce(
           (SELECT count(*) FROM ecoute_contributionsupport AS s WHERE s.contribution_id = c.id),
           0),
       comments_count = coalesce(
           (SELECT count(*) FROM ecoute_contributioncomment AS m
             WHERE m.contribution_id = c.id AND m.status = 'visible'),
           0);
"""


def backfill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKFILL)


class Migration(migrations.Migration):
    dependencies = [
        ("ecoute", "0009_protect_evidence"),
        ("network", "0004_caf_sirets"),
        ("projects", "0011_protect_evidence"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="contribution",
            name="comments_count",
            field=models.PositiveIntegerField(
                default=0, editable=False, verbose_name="commentaires visibles"
            ),
        ),
        migrations.AddField(
            model_name="contribution",
            name="supports_count",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="soutiens"),
        ),
        migrations.AddIndex(
            model_name="contribution",
            index=models.Index(
                fields=["consultation", "status", "-supports_count", "-id"],
                name="contribution_by_supports",
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="contributioncomment",
            trigger=pgtrigger.compiler.Trigger(
                name="comments_count_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="UPDATE ecoute_contribution AS c SET comments_count = GREATEST(c.comments_count + d.n, 0) FROM (SELECT contribution_id, sum(n) AS n FROM (SELECT contribution_id, 1 AS n FROM new_rows WHERE status = 'visible') AS t GROUP BY contribution_id HAVING sum(n) <> 0) AS d WHERE c.id = d.contribution_id; RETURN NULL;",
                    hash="3bf6bef376d55a7f5891ecd18e9626e0450499eb",
                    level="STATEMENT",
                    operation="INSERT",
                    pgid="pgtrigger_comments_count_insert_78353",
                    referencing="REFERENCING NEW TABLE AS new_rows ",
                    table="ecoute_contributioncomment",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="contributioncomment",
            trigger=pgtrigger.compiler.Trigger(
                name="comments_count_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="UPDATE ecoute_contribution AS c SET comments_count = GREATEST(c.comments_count + d.n, 0) FROM (SELECT contribution_id, sum(n) AS n FROM (SELECT contribution_id, 1 AS n FROM new_rows WHERE status = 'visible' UNION ALL SELECT contribution_id, -1 AS n FROM old_rows WHERE status = 'visible') AS t GROUP BY contribution_id HAVING sum(n) <> 0) AS d WHERE c.id = d.contribution_id; RETURN NULL;",
                    hash="81ca592cfa9787dbd78c1152e510dfd9b1c2942c",
                    level="STATEMENT",
                    operation="UPDATE",
                    pgid="pgtrigger_comments_count_update_4ee62",
                    referencing="REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ",
                    table="ecoute_contributioncomment",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="contributioncomment",
            trigger=pgtrigger.compiler.Trigger(
                name="comments_count_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="UPDATE ecoute_contribution AS c SET comments_count = GREATEST(c.comments_count + d.n, 0) FROM (SELECT contribution_id, sum(n) AS n FROM (SELECT contribution_id, -1 AS n FROM old_rows WHERE status = 'visible') AS t GROUP BY contribution_id HAVING sum(n) <> 0) AS d WHERE c.id = d.contribution_id; RETURN NULL;",
                    hash="e618e068156b1c88c94811a40c514791ae05698b",
                    level="STATEMENT",
                    operation="DELETE",
                    pgid="pgtrigger_comments_count_delete_c3ff9",
                    referencing="REFERENCING OLD TABLE AS old_rows ",
                    table="ecoute_contributioncomment",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="contributionsupport",
            trigger=pgtrigger.compiler.Trigger(
                name="supports_count_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="UPDATE ecoute_contribution AS c SET supports_count = GREATEST(c.supports_count + d.n, 0) FROM (SELECT contribution_id, sum(n) AS n FROM (SELECT contribution_id, 1 AS n FROM new_rows WHERE TRUE) AS t GROUP BY contribution_id HAVING sum(n) <> 0) AS d WHERE c.id = d.contribution_id; RETURN NULL;",
                    hash="60e4c46caf1e6105d0977062c2065d2bccc84da4",
                    level="STATEMENT",
                    operation="INSERT",
                    pgid="pgtrigger_supports_count_insert_bde3d",
                    referencing="REFERENCING NEW TABLE AS new_rows ",
                    table="ecoute_contributionsupport",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="contributionsupport",
            trigger=pgtrigger.compiler.Trigger(
                name="supports_count_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="UPDATE ecoute_contribution AS c SET supports_count = GREATEST(c.supports_count + d.n, 0) FROM (SELECT contribution_id, sum(n) AS n FROM (SELECT contribution_id, 1 AS n FROM new_rows WHERE TRUE UNION ALL SELECT contribution_id, -1 AS n FROM old_rows WHERE TRUE) AS t GROUP BY contribution_id HAVING sum(n) <> 0) AS d WHERE c.id = d.contribution_id; RETURN NULL;",
                    hash="a633ffd0ca3624748a7709e7d18a0cb854539db6",
                    level="STATEMENT",
                    operation="UPDATE",
                    pgid="pgtrigger_supports_count_update_5f172",
                    referencing="REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ",
                    table="ecoute_contributionsupport",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="contributionsupport",
            trigger=pgtrigger.compiler.Trigger(
                name="supports_count_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="UPDATE ecoute_contribution AS c SET supports_count = GREATEST(c.supports_count + d.n, 0) FROM (SELECT contribution_id, sum(n) AS n FROM (SELECT contribution_id, -1 AS n FROM old_rows WHERE TRUE) AS t GROUP BY contribution_id HAVING sum(n) <> 0) AS d WHERE c.id = d.contribution_id; RETURN NULL;",
                    hash="eba3d7ecedef1b41e08950f6c2df09ce3e872f53",
                    level="STATEMENT",
                    operation="DELETE",
                    pgid="pgtrigger_supports_count_delete_f43ee",
                    referencing="REFERENCING OLD TABLE AS old_rows ",
                    table="ecoute_contributionsupport",
                    when="AFTER",
                ),
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
