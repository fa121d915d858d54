"""`manage.py bench_fanout`: how long notifying the followers of a popular project takes, in the
request and in the worker, on the national dataset.

Inside one transaction that is rolled back at the end (nothing is kept): N active accounts
follow the first project, a gate review is decided ("recycle") as in the web request, then
the fan-out task runs here as the worker would run it. Broker messages go to a throwaway queue
of the Redis broker (CELERY_BROKER_URL), deleted afterwards, and are counted. A measurement, not
a test: the exit code is 0 whatever the numbers.
"""

import statistics
import time
import uuid

from celery import signals
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from caflab.accounts.models import User
from caflab.celery import app as celery_app
from caflab.notifications.models import FanOut, Follow, Notification, OutboxMail
from caflab.notifications.services import fanout_run

TARGET_REQUEST_MS = 200
TARGET_WORKER_SECONDS = 10


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Mesure la notification de N abonnés d'un projet (requête et tâche), sans rien garder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--followers", type=int, default=30_000)
        parser.add_argument(
            "--decisions", type=int, default=5, help="décisions mesurées (médiane affichée)"
        )

    def handle(self, *args, followers: int, decisions: int, **options) -> None:
        if not settings.CELERY_BROKER_URL:
            raise CommandError("CELERY_BROKER_URL (Redis) est nécessaire pour compter l'envoi.")
        queue = f"caflab-bench-{uuid.uuid4().hex[:12]}"
        conf = celery_app.conf
        saved = (conf.task_always_eager, conf.task_routes)
        conf.task_always_eager = False
        conf.task_routes = {"caflab.notifications.tasks.*": {"queue": queue}}
        celery_app.amqp.flush_routes()
        celery_app.amqp.__dict__.pop("router", None)
        published: list[str] = []

        def count(sender=None, **kwargs) -> None:
            published.append(sender)

        signals.before_task_publish.connect(count, weak=False)
        try:
            with transaction.atomic():
                self._measure(followers, max(1, decisions), published)
                raise Rollback
        except Rollback:
            pass
        finally:
            signals.before_task_publish.disconnect(count)
            conf.task_always_eager, conf.task_routes = saved
            celery_app.amqp.flush_routes()
            celery_app.amqp.__dict__.pop("router", None)
            with celery_app.connection_for_write() as broker:
                broker.default_channel.queue_delete(queue)

    def _measure(self, followers: int, decisions: int, published: list[str]) -> None:
        from django.contrib.contenttypes.models import ContentType

        from projects.models import GateReview, Project
        from projects.services import gate_decide

        decider = User.objects.lab_staff().order_by("pk").first()
        project = Project.objects.filter(is_draft=False).order_by("pk").first()
        if project is None or decider is None:
            raise CommandError("Jeu de données national absent : lancez d'abord seed_national.")
        content_type = ContentType.objects.get_for_model(Project)
        ids = list(User.objects.active().order_by("pk").values_list("pk", flat=True)[:followers])
        Follow.objects.bulk_create(
            (Follow(user_id=pk, content_type=content_type, object_id=project.pk) for pk in ids),
            ignore_conflicts=True,
            batch_size=5000,
        )
        with connection.cursor() as cursor:  # statistics as a real, long-lived follow table
            cursor.execute("ANALYZE notifications_follow")
        GateReview.objects.filter(project=project).pending().delete()
        self.stdout.write(f"{len(ids)} abonnés du projet {project.code}.")
        project.get_absolute_url()  # a running server has its URLconf loaded already

        # The request: a gate decision, then the commit's callbacks (the broker publishes).
        timings, queries = [], []
        for _ in range(decisions):
            review = GateReview.objects.create(
                project=project,
                from_stage=project.stage,
                to_stage=project.stage,
                requested_by=decider,
                motivation="bench",
            )
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                with TestCase.captureOnCommitCallbacks(execute=True):
                    gate_decide(
                        review=review,
                        by=decider,
                        decision=GateReview.Decision.RECYCLE,
                        rationale="bench",
                    )
                timings.append((time.perf_counter() - start) * 1000)
            queries.append(len(captured))
        request_publishes = len(published)
        self.stdout.write(
            f"Requête (décision) : médiane {statistics.median(timings):.0f} ms, "
            f"max {max(timings):.0f} ms sur {decisions} décisions, {max(queries)} requêtes SQL, "
            f"{request_publishes // decisions} envoi(s) au broker par décision "
            f"(cible < {TARGET_REQUEST_MS} ms)."
        )

        # The worker: the last decision's fan-out (the others stay pending, rolled back).
        fanout = FanOut.objects.filter(status=FanOut.Status.PENDING).order_by("-pk").first()
        notifications_before = Notification.objects.count()
        mails_before = OutboxMail.objects.count()
        start = time.perf_counter()
        # Each batch's mails are published when the batch commits: here, at the end.
        with TestCase.captureOnCommitCallbacks(execute=True):
            fanout_run(fanout_id=fanout.pk)
        worker_s = time.perf_counter() - start
        notified = Notification.objects.count() - notifications_before
        mails = OutboxMail.objects.count() - mails_before
        self.stdout.write(
            f"Tâche (worker) : {worker_s:.2f} s pour {notified} notifications et {mails} e-mails "
            f"mis en file, {len(published) - request_publishes} envois au broker "
            f"(cible < {TARGET_WORKER_SECONDS} s)."
        )
