"""Bulk writing for the national dataset: `bulk_create` in batches, PostgreSQL `COPY` for the
largest tables, identifiers reserved from a table's sequence so that children can be written
before their parents are read back."""

import datetime
import random
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

BATCH = 5000
DOMAIN = "@national.caflab.test"  # every national account's address ends with it
NOW = timezone.now().replace(microsecond=0)
TODAY = timezone.localdate()


def bulk(model: type[models.Model], objects: Iterable[models.Model]) -> list[models.Model]:
    """`bulk_create` in batches of 5,000; the primary keys are set on the returned objects."""
    return model.objects.bulk_create(list(objects), batch_size=BATCH)


def through(field: Any, pairs: Iterable[tuple[int, int]]) -> None:
    """Rows of a many-to-many table, from (owner id, target id) pairs; duplicates dropped."""
    model = field.remote_field.through
    source = field.m2m_field_name() + "_id"
    target = field.m2m_reverse_field_name() + "_id"
    bulk(model, (model(**{source: a, target: b}) for a, b in dict.fromkeys(pairs)))


def reserve_ids(model: type[models.Model], count: int) -> int:
    """Take `count` consecutive ids from the table's sequence; returns the first one."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        (sequence,) = cursor.fetchone()
        cursor.execute("SELECT nextval(%s)", [sequence])
        (first,) = cursor.fetchone()
        cursor.execute("SELECT setval(%s, %s)", [sequence, first + max(count, 1) - 1])
    return first


def copy(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """COPY `rows` (tuples in the order of `columns`, attnames) into the model's table."""
    table = model._meta.db_table
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor, under Django's wrapper
        with raw.copy(f"COPY {connection.ops.quote_name(table)} ({names}) FROM STDIN") as pipe:
            for row in rows:
                pipe.write_row(row)
                count += 1
    return count


def days_ago(rng: random.Random, low: int, high: int) -> datetime.datetime:
    """A moment between `high` and `low` days before now."""
    return NOW - datetime.timedelta(days=rng.uniform(low, high))


def zipf_weights(count: int, exponent: float = 1.1) -> list[float]:
    """Long-tail weights: a few items get most of the attention."""
    return [1 / (rank**exponent) for rank in range(1, count + 1)]


def sized(value: float, scale: float, minimum: int = 1) -> int:
    return max(minimum, round(value * scale))
