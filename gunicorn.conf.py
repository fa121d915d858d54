"""gunicorn settings for the production-like stack (`make stack`, docker-compose)."""

import os
import shutil

from gunicorn.glogging import Logger

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = 60
graceful_timeout = 30
max_requests = 2000
max_requests_jitter = 200
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


class ScrubbingLogger(Logger):
    """gunicorn's logger, with an access log that never writes a secret: the path goes through
    the application's scrubber (caflab.core.requestlog.scrub_path: a token route's pattern in
    place of its path, long random segments of unknown paths masked), and the query string,
    the visitor's address, the referer and every header or environ atom are left out."""

    def atoms(self, resp, req, environ, request_time) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        # Imported here: the master process never writes an access line, and the worker has
        # loaded Django (and the URLconf) by the time it writes one.
        from caflab.core.requestlog import scrub_path, scrub_request_line

        atoms["U"] = scrub_path(atoms.get("U") or "/")
        atoms["r"] = scrub_request_line(atoms.get("r") or "")
        atoms.update({"q": "-", "h": "-", "f": "-", "u": "-"})
        for key in [key for key in atoms if key.startswith("{")]:
            del atoms[key]  # request/response headers and environ: cookies, tokens, addresses
        return atoms

    # gunicorn's error log names the request too ("Error handling request /…?…").
    def error(self, msg, *args, **kwargs) -> None:
        super().error(msg, *_scrubbed(args), **kwargs)

    def exception(self, msg, *args, **kwargs) -> None:
        super().exception(msg, *_scrubbed(args), **kwargs)

    def warning(self, msg, *args, **kwargs) -> None:
        super().warning(msg, *_scrubbed(args), **kwargs)


def _scrubbed(args: tuple) -> tuple:
    from caflab.core.logformat import scrub_log_arg

    return tuple(scrub_log_arg(arg) for arg in args)


logger_class = ScrubbingLogger
# Off by default: caflab.core.requestlog writes one JSON line per request with more in it
# (route, request id, user id, queries) and the same scrubbing; a second line per request
# only doubles the volume. GUNICORN_ACCESS_LOG=- turns it on (stdout), scrubbed as above.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
access_log_format = '"%(r)s" %(s)s %(b)s %(L)ss'

# Metrics with several workers (caflab.core.metrics): prometheus_client shares each worker's
# counters through files in PROMETHEUS_MULTIPROC_DIR, emptied at start; a dead worker's live
# gauges are dropped.
_multiproc_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")


def on_starting(server) -> None:
    if _multiproc_dir:
        shutil.rmtree(_multiproc_dir, ignore_errors=True)
        os.makedirs(_multiproc_dir, exist_ok=True)


def child_exit(server, worker) -> None:
    if _multiproc_dir:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
