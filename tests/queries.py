"""Query-count helpers: a list or dashboard page must cost the same whatever its data size."""

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return len(ctx.captured_queries)


def assert_flat_query_count(
    client,
    url: str,
    add_rows: Callable[[int], object],
    *,
    sizes: tuple[int, int] = (3, 30),
    expected: int | None = None,
) -> int:
    """Measure `url` with `sizes[0]` then `sizes[1]` rows (added by `add_rows(n)`), assert both
    counts are equal and, when given, equal to the pinned `expected`. Returns the count."""
    small, large = sizes
    add_rows(small)
    first = count_queries(client, url)
    add_rows(large - small)
    second = count_queries(client, url)
    assert first == second, f"{url}: {first} queries with {small} rows, {second} with {large}"
    if expected is not None:
        assert first == expected, f"{url}: {first} queries, pinned at {expected}"
    return first
