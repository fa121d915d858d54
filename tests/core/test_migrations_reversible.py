"""Migrations go back and forth on real data (issue 20): on a PostgreSQL database of its own,
migrated and seeded with the demo (`seed_demo`), every local app is taken back to the migration
before its latest, then everything forward again; the rows that matter are all still there.

Run alone with `pytest -m migrations` (a few minutes: the database is built from scratch). The
database is `caflab_migcheck` next to the test database (MIGCHECK_DATABASE_URL to choose
another), dropped afterwards. `MIGCHECK_DEEP=1` adds a rollback of projects across
0004_idea_sources_and_scorecards, whose reverse once failed on data."""

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)

pytestmark = [
    pytest.mark.migrations,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the migrations run on PostgreSQL (their SQL, triggers and constraints are)",
    ),
]


def _url() -> str:
    if url := os.environ.get("MIGCHECK_DATABASE_URL"):
        return url
    db = settings.DATABASES["default"]
    port = db.get("PORT") or 5432
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{port}/caflab_migcheck"


def _admin(sql: str) -> None:
    """CREATE/DROP DATABASE, through the server's `postgres` database."""
    server = _url().rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql)


def _manage(*args: str, timeout: int = 600) -> str:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "caflab.settings",
        "DATABASE_URL": _url(),
        "DEBUG": "1",  # seed_demo refuses to run otherwise
        "SECRET_KEY": "migcheck-not-a-secret",
        "CELERY_BROKER_URL": "",  # tasks in-process
    }
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"manage.py {' '.join(args)} failed:\n{done.stderr[-4000:]}"
    return done.stdout


# Run inside `manage.py shell`: every local app's latest migration that runs SQL, its previous
# one, and the rows that must survive a round trip.
PLAN = """
import json
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader

graph = MigrationLoader(connection).graph
previous = {}
for app in settings.LOCAL_APPS:
    label = app.rsplit(".", 1)[-1]
    leaves = [node for node in graph.leaf_nodes() if node[0] == label]
    if not leaves:
        continue
    latest = leaves[0]
    # A migration that only changes labels (`labels_only`) runs no SQL: the app's latest one
    # that does is taken back, and the labels-only ones after it go back with it.
    while getattr(graph.nodes[latest], "labels_only", False):
        parents = [p for p in graph.node_map[latest].parents if p[0] == label]
        if not parents:
            break
        latest = parents[0]
    parents = [p for p in graph.node_map[latest].parents if p[0] == label]
    previous[label] = [latest[1], parents[0][1] if parents else "zero"]
print(json.dumps(previous))
"""

# Every app's latest migration and what depends on it are unapplied in one plan (one rendering
# of the states instead of one per app); each app's target is its newest migration left, so the
# plan only goes backwards (Django refuses a plan that mixes both directions).
BACK = """
import json
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

executor = MigrationExecutor(connection)
graph = executor.loader.graph
latest = [tuple(node) for node in json.loads({latest!r})]
undone = set().union(*(graph.backwards_plan(node) for node in latest))
targets = []
for app in sorted({{node[0] for node in undone}}):
    leaf = next(node for node in graph.leaf_nodes() if node[0] == app)
    kept = [n for n in graph.forwards_plan(leaf) if n[0] == app and n not in undone]
    targets.append(kept[-1] if kept else (app, None))
executor.migrate(targets)
executor.loader.build_graph()
print(json.dumps(sorted(f"{{a}}.{{n}}" for a, n in executor.loader.applied_migrations)))
"""

COUNTS = """
import json
from django.apps import apps
labels = [
    "accounts.User", "projects.Project", "projects.StageChange", "projects.GateReview",
    "ideas.Idea", "ideas.IdeaComment", "projects.GateCriterion", "criees.Initiative",
    "criees.Comment", "ecoute.Consultation", "ecoute.Response", "ecoute.Answer",
    "ecoute.Contribution", "ecoute.Restitution", "evaluation.Measurement",
    "evaluation.ImpactReport",
    # the engagement layer's tables (issue 15): comments, their audit trail, supports, reports
    "ideas.IdeaCommentEvent", "ideas.IdeaSupport", "criees.CommentEvent",
    "criees.Support", "criees.CommentReport", "ecoute.ContributionComment",
    "ecoute.ContributionCommentEvent", "ecoute.ContributionSupport",
    "ecoute.ContributionReport", "ecoute.ContributionCommentReport",
]
counts = {label: apps.get_model(label).objects.count() for label in labels}
# and the comments' moderation states, which the engagement migrations convert. Ideas'
# comments before projects 0012 were shown or hidden, nothing else (their reports table goes
# back with it): what survives its rollback is which comments are shown.
for label in ("criees.Comment", "ecoute.ContributionComment"):
    for status in ("pending", "visible", "reported", "hidden"):
        counts[f"{label}:{status}"] = apps.get_model(label).objects.filter(status=status).count()
comments = apps.get_model("ideas.IdeaComment").objects
counts["ideas.IdeaComment:visible"] = comments.filter(status="visible").count()
print(json.dumps(counts))
"""


def _shell(code: str) -> object:
    return json.loads(_manage("shell", "-c", code).strip().splitlines()[-1])


@pytest.fixture(scope="module")
def seeded():
    name = _url().rsplit("/", 1)[1]
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}"')
    try:
        _manage("migrate", "--noinput", "-v", "0")
        _manage("seed_demo")
        yield _shell(COUNTS)
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_every_app_goes_back_one_migration_and_forward_again_on_the_demo_data(seeded):
    assert seeded["ecoute.Answer"] > 0  # real data
    assert seeded["projects.StageChange"] > 0
    plan = _shell(PLAN)
    assert {"projects", "ideas", "ecoute", "evaluation", "criees", "accounts"} <= set(plan)
    latest = [[app, name] for app, (name, _previous) in plan.items()]
    applied = _shell(BACK.format(latest=json.dumps(latest)))
    for app, (name, _previous) in plan.items():
        assert f"{app}.{name}" not in applied, f"{app}.{name} was not rolled back"
    _manage("migrate", "--noinput", "-v", "0")
    assert "[ ]" not in _manage("showmigrations", *plan)
    assert _shell(COUNTS) == seeded


@pytest.mark.skipif(
    not os.environ.get("MIGCHECK_DEEP"), reason="MIGCHECK_DEEP=1: a few more minutes"
)
def test_projects_rolls_back_across_its_scorecards_migration_on_the_demo_data(seeded):
    """`migrate projects 0003` used to fail on a unique constraint once ideas were scored."""
    _manage("migrate", "projects", "0003_deployment_comment", "-v", "0", timeout=900)
    _manage("migrate", "--noinput", "-v", "0", timeout=900)
    assert "[ ]" not in _manage("showmigrations", "projects")
    # the tables of 0001 kept their rows (0004's own tables are dropped and created again)
    counts = _shell(COUNTS)
    for label in ("projects.Project", "projects.StageChange", "projects.GateReview"):
        assert counts[label] == seeded[label]
