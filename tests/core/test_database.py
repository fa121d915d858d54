"""How the application connects to PostgreSQL."""

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting"),
    pytest.mark.django_db,
]


def test_connections_run_without_jit():
    """JIT compilation costs short web queries hundreds of milliseconds (issue 12: the criées
    dashboard took 325 ms with it, 172 ms without, on the national dataset)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_connecting_gives_up_in_seconds():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    assert connection.get_connection_params()["connect_timeout"] == 3
