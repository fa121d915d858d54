"""Measurement counters on the indicator (how many, the latest period), kept by PostgreSQL: one
statement trigger on evaluation_measurement recomputes them for the indicators a statement
touched (a bulk insert of 72,000 measurements costs one UPDATE, not 72,000). Elsewhere (SQLite
in development) the columns stay at their defaults and the views count instead."""

from django.db import migrations, models

RECOUNT = """
    UPDATE evaluation_indicator AS i
       SET measurement_count = s.n, last_measured_period = s.last
      FROM (
            SELECT t.id, count(m.id) AS n, max(m.period) AS last
              FROM ({touched}) AS t (id)
              LEFT JOIN evaluation_measurement AS m ON m.indicator_id = t.id
             GROUP BY t.id
           ) AS s
     WHERE i.id = s.id
       AND (i.measurement_count, i.last_measured_period) IS DISTINCT FROM (s.n, s.last);
"""
INSERTED = RECOUNT.format(touched="SELECT DISTINCT indicator_id FROM new_rows")
DELETED = RECOUNT.format(touched="SELECT DISTINCT indicator_id FROM old_rows")
UPDATED = RECOUNT.format(
    touched="SELECT indicator_id FROM new_rows UNION SELECT indicator_id FROM old_rows"
)
FUNCTION = (
    """
CREATE OR REPLACE FUNCTION evaluation_indicator_measurement_counters() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN"""
    + INSERTED
    + "    ELSIF TG_OP = 'DELETE' THEN"
    + DELETED
    + "    ELSE"
    + UPDATED
    + """    END IF;
    RETURN NULL;
END;
$$;
"""
)
TRIGGERS = """
CREATE TRIGGER evaluation_measurement_counters_insert AFTER INSERT ON evaluation_measurement
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION evaluation_indicator_measurement_counters();
CREATE TRIGGER evaluation_measurement_counters_update AFTER UPDATE ON evaluation_measurement
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION evaluation_indicator_measurement_counters();
CREATE TRIGGER evaluation_measurement_counters_delete AFTER DELETE ON evaluation_measurement
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION evaluation_indicator_measurement_counters();
"""
BACKFILL = """
UPDATE evaluation_indicator AS i
   SET measurement_count = s.n, last_measured_period = s.last
  FROM (
        SELECT indicator_id, count(*) AS n, max(period) AS last
          FROM evaluation_measurement GROUP BY indicator_id
       ) AS s
 WHERE i.id = s.indicator_id;
"""
DROP = """
DROP TRIGGER IF EXISTS evaluation_measurement_counters_insert ON evaluation_measurement;
DROP TRIGGER IF EXISTS evaluation_measurement_counters_update ON evaluation_measurement;
DROP TRIGGER IF EXISTS evaluation_measurement_counters_delete ON evaluation_measurement;
DROP FUNCTION IF EXISTS evaluation_indicator_measurement_counters();
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)
        schema_editor.execute(TRIGGERS)
        schema_editor.execute(BACKFILL)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0005_search_vector"),
    ]

    operations = [
        migrations.AddField(
            model_name="indicator",
            name="last_measured_period",
            field=models.DateField(
                blank=True, editable=False, null=True, verbose_name="dernière période mesurée"
            ),
        ),
        migrations.AddField(
            model_name="indicator",
            name="measurement_count",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="mesures"),
        ),
        migrations.RunPython(install, uninstall),
    ]
