"""`manage.py bench` (`make bench`): how fast the key pages are on the national dataset.

Starts gunicorn as in production (gunicorn.conf.py, 2 sync workers, 1 thread, DEBUG=0, on a free
port), signs each role in (a session written in the session store, as a login would), then,
page by page on one connection at a time: the SQL queries of one request (read from the
application's JSON request log line, field `queries`, matched by `X-Request-ID`), the HTML
size, p50 and p99 over N requests after 3 warm-ups, and the throughput as a ratio to
/robots.txt measured in the same run. Prints a Markdown table. The open-data generation, a
worker's job and not a page, is measured apart, in this process: queries, rows, size and time
per dataset. A measurement, not a test: the exit code is 0 whatever the numbers (1 only when
the national dataset is missing)."""

import http.client
import json
import math
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.models import Count
from django.urls import reverse

from caflab.national import criees as national_criees
from caflab.national import dataset
from caflab.national import ecoute as national_ecoute
from caflab.national import incubator as national_incubator
from caflab.national.bulk import DOMAIN

# The targets of issue 12.
TARGET_P50_MS = 25
TARGET_RATIO = 0.25
TARGET_QUERIES = 15
TARGET_KB = 100
WORKERS = 2
VISITOR = "visitor"
OPENDATA_LABEL = "Génération des données ouvertes"
ROLES = {
    "lab": "labo.1",
    "correspondent": "correspondant.1.1",
    "agent": "agent.1",
    "directorate": "direction.1",
    "moderator": "moderation.1",
    "partner": "partenaire.1",
    "citizen": "citoyen.1",
}


@dataclass
class Result:
    page: str
    role: str
    status: int
    queries: int | None
    kb: float
    p50: float
    p99: float
    ratio: float

    @property
    def verdict(self) -> str:
        misses = []
        if self.status != 200:
            misses.append(f"HTTP {self.status}")
        if self.p50 > TARGET_P50_MS:
            misses.append("p50")
        if self.ratio < TARGET_RATIO:
            misses.append("débit")
        if self.queries is None or self.queries > TARGET_QUERIES:
            misses.append("requêtes")
        if self.kb > TARGET_KB:
            misses.append("taille")
        return "oui" if not misses else "non (" + ", ".join(misses) + ")"


def pages() -> list[tuple[str, str, str]]:
    """(label, role, path) of every key page, on the national dataset's busiest objects."""
    from caflab.network.models import Programme
    from criees.models import Comment, Criee, Initiative
    from ecoute.models import Consultation
    from evaluation.models import EvaluationPlan, Indicator
    from ideas.models import Idea
    from incubator.models import Call, Cohort
    from projects.models import Project

    big = Consultation.objects.get(slug=national_ecoute.BIG_SLUG)
    call = Consultation.objects.get(slug=national_ecoute.CONTRIBUTIONS_SLUG)
    project = (
        Project.objects.filter(lead__email__endswith=DOMAIN, is_draft=False, stage="essaimage")
        .annotate(n=Count("deployments"))
        .order_by("-n")
        .first()
    )
    idea = Idea.objects.annotate(n=Count("comments")).order_by("-n").first()
    initiative = Initiative.objects.published().annotate(n=Count("supports")).order_by("-n").first()
    live = Criee.objects.get(title__startswith=national_criees.CRIEE_PREFIX, status="closed")
    held = Criee.objects.get(title__startswith=national_criees.CRIEE_PREFIX, status="held")
    public = Project.objects.filter(is_public=True, is_draft=False).order_by("pk").first()
    plan = EvaluationPlan.objects.select_related("project").order_by("pk").first()
    indicator = Indicator.objects.filter(project=plan.project).order_by("pk").first()
    correspondent = _user("correspondent")
    caf = correspondent.caf.code
    code = plan.project.code
    commented = Initiative.objects.published().annotate(n=Count("comments")).order_by("-n").first()
    comment = Comment.objects.visible().filter(initiative=commented).order_by("pk").first()
    programme = Programme.objects.annotate(n=Count("projects")).order_by("-n", "pk").first()
    ranked = Call.objects.get(title=national_incubator.RANKED_TITLE)
    cohort = (
        Cohort.objects.filter(call__title__startswith=national_incubator.TITLE_PREFIX)
        .annotate(n=Count("applications"))
        .order_by("-n", "pk")
        .first()
    )
    return [
        *((f"Accueil ({role})", role, reverse("core:home")) for role in ROLES),
        ("Portefeuille", "lab", reverse("projects:index")),
        ("Kanban", "lab", reverse("projects:kanban")),
        ("Entonnoir", "lab", reverse("projects:funnel")),
        ("Cockpit de l’innovation (directeur)", "lab", reverse("projects:dashboard")),
        ("Freins et leviers ouverts", "lab", reverse("projects:levers")),
        ("Carte des Caf", "agent", reverse("projects:map")),
        ("Projet", "agent", reverse("projects:detail", kwargs={"code": project.code})),
        ("Idées", "agent", reverse("ideas:idea-list")),
        ("Tri des idées", "lab", reverse("ideas:triage")),
        ("Tri des idées", "correspondent", reverse("ideas:triage")),
        ("Idée (1 000+ commentaires)", "agent", reverse("ideas:idea-detail", args=[idea.pk])),
        ("Catalogue des initiatives", "agent", reverse("criees:index")),
        ("Initiative", "agent", reverse("criees:initiative", args=[initiative.pk])),
        ("Criée", "correspondent", reverse("criees:criee", args=[held.pk])),
        ("Criée en direct", "correspondent", reverse("criees:live", args=[live.pk])),
        ("Tableau de bord des criées", "lab", reverse("criees:dashboard")),
        ("Consultations", "citizen", reverse("ecoute:index")),
        ("Répondre (grande consultation)", "citizen", reverse("ecoute:answer", args=[big.slug])),
        ("Résultats (100 000 réponses)", "lab", reverse("ecoute:results", args=[big.pk])),
        ("Consultation (gestion)", "lab", reverse("ecoute:manage-detail", args=[big.pk])),
        ("Contributions", "citizen", reverse("ecoute:contributions", args=[call.slug])),
        (
            "Contributions (les plus soutenues)",
            "citizen",
            reverse("ecoute:contributions", args=[call.slug]) + "?order=supports",
        ),
        ("Évaluation", "lab", reverse("evaluation:index")),
        ("Plan d'évaluation", "lab", reverse("evaluation:plan", kwargs={"code": code})),
        ("Indicateurs", "lab", reverse("evaluation:indicator-list", kwargs={"code": code})),
        ("Indicateur", "lab", reverse("evaluation:indicator-detail", args=[indicator.pk])),
        ("Modération (file unique)", "moderator", reverse("engagement:queue")),
        (
            "Modération (commentaires d'idées)",
            "moderator",
            reverse("engagement:queue") + "?type=idees-commentaires",
        ),
        (
            "Modération (commentaires d'initiatives)",
            "moderator",
            reverse("engagement:queue") + "?type=initiatives-commentaires",
        ),
        (
            "Modération (commentaires de contributions)",
            "moderator",
            reverse("engagement:queue") + "?type=contributions-commentaires",
        ),
        (
            "Commentaire d'initiative",
            "agent",
            reverse("criees:comment", kwargs={"pk": commented.pk, "comment": comment.pk}),
        ),
        ("Appels à projets", "agent", reverse("incubator:index")),
        ("Mes candidatures", "agent", reverse("incubator:mine")),
        (
            "Classement du jury (appel en sélection)",
            "lab",
            reverse("incubator:ranking", kwargs={"slug": ranked.slug}),
        ),
        ("Promotion de l'incubateur", "lab", reverse("incubator:cohort", args=[cohort.pk])),
        ("Programmes", "agent", reverse("projects:programme-list")),
        (
            "Programme",
            "agent",
            reverse("projects:programme-detail", kwargs={"slug": programme.slug}),
        ),
        # The read API's lists (a session reads them as a token would).
        *(
            (f"API {url}", "lab", url)
            for url in (
                reverse(f"api-v1:{name}")
                for name in (
                    "projects",
                    "initiatives",
                    "criees",
                    "consultations",
                    "restitutions",
                    "cafs",
                    "programmes",
                )
            )
        ),
        ("Données ouvertes", VISITOR, reverse("opendata:index")),
        ("Notifications", "agent", reverse("notifications:list")),
        ("Recherche « famille »", "agent", reverse("search:results") + "?q=famille"),
        ("Recherche « acces »", "citizen", reverse("search:results") + "?q=acces"),
        ("Consultations (visiteur)", VISITOR, reverse("ecoute:index")),
        ("Fiche publique de projet", VISITOR, reverse("projects:public-sheet", args=[public.code])),
        ("Annuaire des Caf", "agent", reverse("network:caf-list")),
        ("Tableau de bord de Caf", "correspondent", reverse("network:caf-dashboard", args=[caf])),
    ]


def _user(role: str):
    from caflab.accounts.models import User

    return User.objects.select_related("caf").get(email=f"{ROLES[role]}{DOMAIN}")


def _session(role: str) -> str:
    """A signed-in session for the role's account, as `login()` would write it."""
    user = _user(role)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "caflab.accounts.backends.PasswordBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Command(BaseCommand):
    help = "Mesure les pages clés sur le jeu national (make national d'abord)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--requests", type=int, default=30, help="Requêtes mesurées par page.")
        parser.add_argument("--warmup", type=int, default=3)
        parser.add_argument(
            "--max-seconds", type=float, default=20, help="Temps maximal de mesure par page."
        )
        parser.add_argument(
            "--only",
            default="",
            help="Seulement les pages dont le libellé contient ce texte (sans casse, « | » entre "
            "plusieurs).",
        )

    def handle(
        self, *args, requests: int, warmup: int, max_seconds: float, only: str, **options
    ) -> None:
        if connection.vendor != "postgresql" or not dataset.is_seeded():
            raise CommandError("Le jeu national est absent : run make national first.")
        targets = pages()
        wanted = [part.strip().casefold() for part in only.split("|") if part.strip()]
        if wanted:
            targets = [t for t in targets if any(w in t[0].casefold() for w in wanted)]
        generation = not wanted or any(w in OPENDATA_LABEL.casefold() for w in wanted)
        opendata = self._opendata() if generation else []
        # The visitor is anonymous: no session.
        cookies = {role: _session(role) for role in ROLES} | {VISITOR: None}
        port = _free_port()
        log_path = Path(tempfile.mkstemp(prefix="caflab-bench-", suffix=".log")[1])
        server = self._start(port, log_path)
        try:
            robots = self._measure("/robots.txt", None, port, requests * 2, warmup, max_seconds)
            results = [
                self._result(
                    label,
                    role,
                    path,
                    cookies[role],
                    port,
                    robots,
                    requests,
                    warmup,
                    max_seconds,
                    log_path,
                )
                for label, role, path in targets
            ]
        finally:
            server.terminate()
            server.wait(timeout=30)
        self._print(robots, results, requests)
        if opendata:
            self._print_opendata(opendata)
        log_path.unlink(missing_ok=True)

    # --- the open-data generation (a worker's job, not a page) -------------------------------
    def _opendata(self) -> list[dict]:
        """Each dataset written as the nightly run writes it (`write_dataset`: rows read, CSV
        and JSON stored), in this process: SQL queries, rows, size and time; the files are
        deleted afterwards (the published ones are untouched)."""
        from django.test.utils import CaptureQueriesContext

        from caflab.opendata.datasets import DATASETS
        from caflab.opendata.services import storage, write_dataset

        measured = []
        for published in DATASETS:
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                written = write_dataset(published)
                elapsed = (time.perf_counter() - started) * 1000
            for name in (written.csv_name, written.json_name):
                storage().delete(name)
            measured.append(
                {
                    "slug": published.slug,
                    "queries": len(ctx.captured_queries),
                    "rows": written.row_count,
                    "kb": (written.csv_bytes + written.json_bytes) / 1024,
                    "ms": elapsed,
                }
            )
            self.stderr.write(f"  {OPENDATA_LABEL} ({published.slug}): {elapsed:.0f} ms")
        return measured

    def _print_opendata(self, measured: list[dict]) -> None:
        out = self.stdout.write
        out(f"\n{OPENDATA_LABEL} (dans le processus, comme le worker la nuit) :\n")
        out("| Jeu de données | Requêtes SQL | Lignes | ko (CSV + JSON) | ms |")
        out("|---|---:|---:|---:|---:|")
        for m in measured:
            out(f"| {m['slug']} | {m['queries']} | {m['rows']} | {m['kb']:.0f} | {m['ms']:.0f} |")
        out(
            f"| Total | {sum(m['queries'] for m in measured)} | "
            f"{sum(m['rows'] for m in measured)} | {sum(m['kb'] for m in measured):.0f} | "
            f"{sum(m['ms'] for m in measured):.0f} |"
        )

    # --- the server ------------------------------------------------------------------------------
    def _start(self, port: int, log_path: Path) -> subprocess.Popen:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "caflab.settings",
            "DEBUG": "0",
            # The sessions written here are signed with this process's key: the same one.
            "SECRET_KEY": settings.SECRET_KEY,
            "SITE_URL": f"http://127.0.0.1:{port}",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "ALLOW_FILE_EMAIL": "1",
            "DATABASE_URL": os.environ.get("DATABASE_URL", ""),
            # As in production: the shared Redis cache (sessions read through it) and broker.
            "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/13",
            "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/12",
            "LOG_FORMAT": "json",
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": str(WORKERS),
            "GUNICORN_THREADS": "1",
        }
        gunicorn = Path(sys.executable).with_name("gunicorn")
        log = log_path.open("w")
        server = subprocess.Popen(  # noqa: S603 -- our own gunicorn, fixed arguments
            [str(gunicorn), "-c", str(settings.BASE_DIR / "gunicorn.conf.py"), "caflab.wsgi"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise CommandError("gunicorn s'est arrêté : " + log_path.read_text()[-2000:])
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.3)
        return server

    # --- measuring -------------------------------------------------------------------------------
    def _get(
        self, conn: http.client.HTTPConnection, path: str, session: str | None, request_id: str = ""
    ):
        headers = {"Host": "127.0.0.1", "X-Request-ID": request_id or uuid.uuid4().hex}
        if session:
            headers["Cookie"] = f"{settings.SESSION_COOKIE_NAME}={session}"
        started = time.perf_counter()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.getheader("Connection", "").lower() == "close":
            conn.close()
        return response.status, body, elapsed

    def _measure(self, path, session, port, count, warmup, max_seconds) -> dict:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        # Every gunicorn worker warms up (sync workers take one connection each in turn).
        for _ in range(max(warmup, 2 * WORKERS)):
            status, body, _elapsed = self._get(conn, path, session)
        timings: list[float] = []
        started = time.monotonic()
        for _ in range(count):
            status, body, elapsed = self._get(conn, path, session)
            timings.append(elapsed)
            if time.monotonic() - started > max_seconds and len(timings) >= 5:
                break
        conn.close()
        timings.sort()
        return {
            "status": status,
            "bytes": len(body),
            "p50": statistics.median(timings),
            "p99": timings[min(len(timings) - 1, round(0.99 * (len(timings) - 1)))],
            # Throughput from the mean of the fastest 98%: on a shared 2-core machine one request
            # stalled by another process would otherwise decide the ratio.
            "mean": statistics.fmean(timings[: max(1, math.ceil(len(timings) * 0.98))]),
            "n": len(timings),
        }

    def _queries(self, path, session, port, log_path: Path) -> int | None:
        """One more request, whose request log line gives the number of SQL queries."""
        request_id = "bench-" + uuid.uuid4().hex
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self._get(conn, path, session, request_id)
        conn.close()
        for _ in range(20):
            for line in reversed(log_path.read_text(errors="replace").splitlines()):
                if request_id in line:
                    match = re.search(r"\{.*\}", line)
                    try:
                        return int(json.loads(match.group(0))["queries"]) if match else None
                    except (ValueError, KeyError):
                        return None
            time.sleep(0.1)
        return None

    def _result(
        self, label, role, path, session, port, robots, count, warmup, max_seconds, log_path
    ) -> Result:
        measure = self._measure(path, session, port, count, warmup, max_seconds)
        queries = self._queries(path, session, port, log_path)
        result = Result(
            page=label,
            role=role,
            status=measure["status"],
            queries=queries,
            kb=measure["bytes"] / 1024,
            p50=measure["p50"],
            p99=measure["p99"],
            ratio=robots["mean"] / measure["mean"],
        )
        self.stderr.write(f"  {label} ({role}): {result.p50:.0f} ms, {queries} requêtes")
        return result

    def _print(self, robots: dict, results: list[Result], count: int) -> None:
        out = self.stdout.write
        out(
            f"\n/robots.txt : p50 {robots['p50']:.1f} ms, p99 {robots['p99']:.1f} ms "
            f"({1000 / robots['mean']:.0f} requêtes/s sur une connexion). "
            f"Cibles : p50 ≤ {TARGET_P50_MS} ms, débit ≥ {TARGET_RATIO}× robots.txt, "
            f"≤ {TARGET_QUERIES} requêtes SQL, ≤ {TARGET_KB} ko.\n"
        )
        out(
            "| Page | Rôle | Requêtes SQL | ko | p50 ms | p99 ms | × robots.txt "
            "| Cibles atteintes |"
        )
        out("|---|---|---:|---:|---:|---:|---:|---|")
        for r in results:
            out(
                f"| {r.page} | {r.role} | {r.queries if r.queries is not None else '?'} | "
                f"{r.kb:.0f} | {r.p50:.0f} | {r.p99:.0f} | {r.ratio:.2f} | {r.verdict} |"
            )
        met = sum(r.verdict == "oui" for r in results)
        out(f"\n{met}/{len(results)} pages atteignent toutes les cibles.")
