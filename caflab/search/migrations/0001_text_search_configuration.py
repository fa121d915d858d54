"""PostgreSQL's side of search: `unaccent` and `pg_trgm`, the `caflab_fr` text search
configuration (French stemming after accent folding, so "acces" finds "accès" and the other way
round) and `caflab_unaccent()`, an immutable accent folding that indexes may use.

Everything here is a no-op on SQLite (`make run`): its search is a plain `icontains`."""

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations

FORWARDS = """
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'caflab_fr') THEN
        CREATE TEXT SEARCH CONFIGURATION caflab_fr (COPY = pg_catalog.french);
    END IF;
END
$$;
ALTER TEXT SEARCH CONFIGURATION caflab_fr
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
CREATE OR REPLACE FUNCTION caflab_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $func$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $func$;
"""

BACKWARDS = """
DROP FUNCTION IF EXISTS caflab_unaccent(text);
DROP TEXT SEARCH CONFIGURATION IF EXISTS caflab_fr;
"""


def _run(sql: str):
    def operation(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return operation


class Migration(migrations.Migration):
    dependencies: list[tuple[str, str]] = []

    operations = [
        UnaccentExtension(),
        TrigramExtension(),
        migrations.RunPython(_run(FORWARDS), _run(BACKWARDS), elidable=False),
    ]
