"""The database side of search, declared by each searchable model.

A searchable model holds a `search_vector` column that PostgreSQL keeps current itself (a
BEFORE INSERT / UPDATE OF trigger, so the admin, imports, `QuerySet.update()` and bulk inserts
are caught alike), a GIN index on it, and a trigram GIN index on its folded title for typo
tolerance. Everything is PostgreSQL-only: on SQLite (`make run`) the column stays empty, the
indexes and the trigger are not created, and search falls back to `icontains`.

    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        indexes = [*search_indexes("project")]
        triggers = [search_vector_trigger(("title", "A"), ("problem", "B"))]
"""

from collections.abc import Callable, Sequence

import pgtrigger
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db.models import Func, TextField
from django.db.models.functions import Lower

# The text search configuration created by caflab/search/migrations/0001: French stemming
# after accent folding.
CONFIG = "caflab_fr"
# caflab_unaccent(): unaccent() made IMMUTABLE, so that an index may use it.
UNACCENT = "caflab_unaccent"

Weighted = tuple[str, str]  # (column, weight "A" to "D")


def folded(expression) -> Func:
    """`expression` lower-cased and without accents (PostgreSQL only)."""
    return Func(Lower(expression), function=UNACCENT, output_field=TextField())


class _NoStatement:
    """What a PostgreSQL-only index creates on another database: nothing."""

    def __str__(self) -> str:
        return ""

    def references_table(self, table: str) -> bool:
        return False

    def references_column(self, table: str, column: str) -> bool:
        return False

    def rename_table_references(self, old_table: str, new_table: str) -> None:
        pass

    def rename_column_references(self, table: str, old_column: str, new_column: str) -> None:
        pass


class PostgresGinIndex(GinIndex):
    """A GIN index created on PostgreSQL only (SQLite has neither GIN nor the functions)."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return _NoStatement()
        return super().create_sql(model, schema_editor, using=using, **kwargs)

    def remove_sql(self, model, schema_editor, **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return _NoStatement()
        return super().remove_sql(model, schema_editor, **kwargs)


def search_indexes(prefix: str, *, title: str | None = "title") -> list[GinIndex]:
    """The GIN index of the stored vector and, when the model has one, the trigram index of
    its folded title (what `caflab.search.query.matching` compares a short query with)."""
    indexes: list[GinIndex] = [
        PostgresGinIndex(fields=["search_vector"], name=f"{prefix}_search_idx")
    ]
    if title:
        indexes.append(
            PostgresGinIndex(
                OpClass(folded(title), name="gin_trgm_ops"), name=f"{prefix}_title_trgm_idx"
            )
        )
    return indexes


def vector_sql(fields: Sequence[Weighted], *, row: str = "NEW") -> str:
    """The SQL of the weighted vector of `row` (NEW in the trigger, the table in a backfill)."""
    return " || ".join(
        f"setweight(to_tsvector('{CONFIG}', coalesce({row}.{column}::text, '')), '{weight}')"
        for column, weight in fields
    )


def search_vector_trigger(*fields: Weighted) -> pgtrigger.Trigger:
    """The trigger that computes `search_vector` when a row is inserted or a searched column
    changes."""
    return pgtrigger.Trigger(
        name="search_vector",
        when=pgtrigger.Before,
        operation=pgtrigger.Insert | pgtrigger.UpdateOf(*(column for column, _ in fields)),
        func=f"NEW.search_vector := {vector_sql(fields)}; RETURN NEW;",
    )


def backfill(table: str, *fields: Weighted) -> Callable[..., None]:
    """A RunPython function computing the vector of the rows that exist (PostgreSQL only)."""

    def operation(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                # Identifiers from the migration, never user input.
                f"UPDATE {table} SET search_vector = {vector_sql(fields, row=table)}",  # noqa: S608
                params=None,
            )

    return operation
