"""Production refuses to start half-configured (DEBUG off): a site that cannot send its
e-mails, build its links or trust its Host header must fail at start-up, loudly, not serve.

One list of problems, `production_problems()`, used twice:
- at start-up by the processes that serve or send (`caflab.wsgi`, `caflab.asgi`, and the
  Celery worker and beat through `caflab.celery`), which raise `ImproperlyConfigured`;
- as a deploy system check (`manage.py check --deploy`, `make check-deploy`), so CI sees it.

Not as an ordinary system check: management commands run with DEBUG off but no production
settings (`makemigrations --check`, `collectstatic` in the image build) and the test settings
(DEBUG off, locmem e-mails) must keep working.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

# Backends that accept a message and deliver it nowhere: the outbox would mark it sent.
UNDELIVERING_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}
FILE_EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"


def production_problems() -> list[tuple[str, str]]:
    """What stops this configuration from running in production, as (check id, message
    naming the variable); empty when DEBUG is on (development) or when all is well."""
    if settings.DEBUG:
        return []
    problems: list[tuple[str, str]] = []
    try:
        secret_key = settings.SECRET_KEY
    except ImproperlyConfigured:  # Django refuses to read an empty key
        secret_key = ""
    if not secret_key:
        problems.append(("caflab.E001", "SECRET_KEY must be set when DEBUG is off."))
    backend = settings.EMAIL_BACKEND
    if backend in UNDELIVERING_EMAIL_BACKENDS:
        problems.append(
            (
                "caflab.E002",
                f"EMAIL_BACKEND is {backend}, which delivers nothing while the outbox marks every "
                "e-mail sent: set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and "
                "EMAIL_HOST (or DEBUG=1 for development).",
            )
        )
    elif backend == FILE_EMAIL_BACKEND and not settings.ALLOW_FILE_EMAIL:
        problems.append(
            (
                "caflab.E003",
                "EMAIL_BACKEND is the file backend, which only writes e-mails to EMAIL_FILE_PATH: "
                "set ALLOW_FILE_EMAIL=1 if that is really wanted (a local stack), else use SMTP.",
            )
        )
    if not settings.SITE_URL_CONFIGURED:
        problems.append(
            (
                "caflab.E004",
                "SITE_URL must be set when DEBUG is off (the public address, e.g. "
                "https://caflab.example.fr): links in e-mails, single sign-on and the default "
                "ALLOWED_HOSTS and CSRF_TRUSTED_ORIGINS come from it.",
            )
        )
    else:
        site = urlsplit(settings.SITE_URL)
        if site.scheme not in ("http", "https") or not site.hostname:
            problems.append(
                (
                    "caflab.E005",
                    "SITE_URL must be an absolute http(s) address such as "
                    f"https://caflab.example.fr, not {settings.SITE_URL!r}.",
                )
            )
    if "*" in settings.ALLOWED_HOSTS:
        problems.append(
            (
                "caflab.E006",
                "ALLOWED_HOSTS must not contain the wildcard '*' when DEBUG is off: list the "
                "site's host names, or leave ALLOWED_HOSTS unset to use SITE_URL's host.",
            )
        )
    return problems


def refuse_to_start_if_misconfigured() -> None:
    """Called by the entry points (web, worker, beat) before they serve anything."""
    problems = production_problems()
    if problems:
        raise ImproperlyConfigured(
            "CafLab refuses to start with DEBUG off:\n"
            + "\n".join(f"- {message}" for _id, message in problems)
        )


def check_production_settings(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """The deploy system check (registered by caflab.core.apps with `deploy=True`)."""
    return [checks.Error(message, id=check_id) for check_id, message in production_problems()]
