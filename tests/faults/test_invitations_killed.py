"""A Celery worker killed with SIGKILL in the middle of an import's invitations (its pool process
and its main process at once): the batch does not stay "running" for the hour Redis keeps the
unacknowledged message. Its lease (caflab.core.jobs) expires, the beat's requeue queues it again,
a fresh worker mails the people the killed one had not reached, and every person gets exactly
one invitation.

Run with the real stack:
    CELERY_BROKER_URL=redis://127.0.0.1:6379/12 \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/caflab_h6 \
    .venv/bin/pytest -m faults tests/faults/test_invitations_killed.py
"""

import os
import re
import signal
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import transaction

from caflab.accounts.invitations import HEARTBEAT_EVERY, invitation_batch_create
from caflab.accounts.models import InvitationBatch, Role, User
from caflab.accounts.tasks import requeue_invitation_batches
from tests.faults.servers import (
    IN_TEST,
    LEASE_SECONDS,
    RECOVERY_BOUND_SECONDS,
    Workers,
    celery_workers,
    pool_processes,
    requires_broker,
    wait_until,
)

PEOPLE = 2 * HEARTBEAT_EVERY + 20  # the killed worker stops after the first HEARTBEAT_EVERY

pytestmark = [pytest.mark.real_broker, pytest.mark.faults, requires_broker]


@pytest.fixture
def workers(tmp_path, settings) -> Iterator[Workers]:
    with celery_workers(
        tmp_path,
        settings,
        ["caflab.accounts.tasks.*", "caflab.notifications.tasks.*"],
        lease_seconds=LEASE_SECONDS,
    ) as started:
        yield started


def mailed(mail_dir: Path) -> Counter:
    """How many invitations each address received (the workers' file-based mail backend)."""
    counts: Counter = Counter()
    if not mail_dir.exists():
        return counts
    for path in mail_dir.iterdir():
        for address in re.findall(r"^To: (\S+)$", path.read_text(), flags=re.MULTILINE):
            counts[address] += 1
    return counts


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_person_gets_one_invitation_after_the_worker_is_killed_mid_batch(
    workers, tmp_path, caf_a
):
    people = []
    for n in range(PEOPLE):
        person = User(email=f"invite{n:03d}@caf38.example", role=Role.AGENT, caf=caf_a)
        person.set_unusable_password()
        people.append(person)
    User.objects.bulk_create(people)
    ids = list(User.objects.filter(email__startswith="invite").values_list("pk", flat=True))
    mail_dir = tmp_path / "mail"

    # The first worker holds each progress step for a minute: it is killed during that pause,
    # HEARTBEAT_EVERY invitations sent, the others not yet.
    first = workers.start("killed", JOB_TEST_PAUSE_SECONDS="60")
    with transaction.atomic():
        batch = invitation_batch_create(user_ids=ids, by=None, label="test")

    def batch_reached(sent: int) -> bool:
        batch.refresh_from_db()
        return batch.status == "running" and batch.sent_count == sent

    wait_until(lambda: batch_reached(HEARTBEAT_EVERY), "the first step", workers.logs, 60)
    pool = pool_processes(first)
    assert pool, "a prefork worker runs its task in a pool process"
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    killed_at = time.monotonic()
    before = mailed(mail_dir)
    assert sum(before.values()) == HEARTBEAT_EVERY
    assert set(before.values()) == {1}

    workers.start("fresh")

    # The killed run's message stays unacknowledged in Redis for an hour: only the lease brings
    # the batch back, once it has expired and the beat's requeue has run.
    wait_until(
        lambda: InvitationBatch.objects.get(pk=batch.pk).is_stuck,
        "the lease to expire",
        workers.logs,
        30,
    )
    time.sleep(2)
    batch.refresh_from_db()
    assert (batch.status, batch.sent_count, batch.attempts) == ("running", HEARTBEAT_EVERY, 1)

    # The beat's entry (every minute in production), run here where the test's routes send the
    # batch to the fresh worker's queue.
    assert requeue_invitation_batches.apply().get(**IN_TEST) == 1

    def finished() -> bool:
        batch.refresh_from_db()
        return batch.status == "ready"

    wait_until(finished, "the batch to be finished", workers.logs, 60)
    recovered_in = time.monotonic() - killed_at
    assert recovered_in < RECOVERY_BOUND_SECONDS
    assert (batch.attempts, batch.sent_count, batch.total) == (2, PEOPLE, PEOPLE)
    after = mailed(mail_dir)
    assert sorted(after) == sorted(f"invite{n:03d}@caf38.example" for n in range(PEOPLE))
    assert set(after.values()) == {1}, "nobody is invited twice"
    print(f"\ninvitations recovered {recovered_in:.1f} s after SIGKILL (lease {LEASE_SECONDS} s)")
