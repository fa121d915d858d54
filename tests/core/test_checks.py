"""Production (DEBUG off) refuses to start half-configured: e-mails going nowhere, no SITE_URL,
ALLOWED_HOSTS = *. The web (WSGI and ASGI), the Celery worker and beat all refuse; `check
--deploy` reports the same; development, the tests and key-less commands are untouched."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.checks import run_checks

from caflab.core.checks import production_problems

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).parent / "celery")

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "tests-only-production-key",
    "SITE_URL": "https://caflab.example",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
}

# (what is wrong, the variable the message must name)
REFUSALS = [
    ({"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}, "EMAIL_BACKEND"),
    ({"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}, "EMAIL_BACKEND"),
    ({"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend"}, "ALLOW_FILE_EMAIL"),
    ({"SITE_URL": None}, "SITE_URL"),
    ({"SITE_URL": "caflab.example"}, "SITE_URL"),
    ({"ALLOWED_HOSTS": "caflab.example,*"}, "ALLOWED_HOSTS"),
]
REFUSAL_IDS = ["console", "locmem", "file", "no-site-url", "relative-site-url", "wildcard"]


def environment(**overrides: str | None) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DJANGO_SETTINGS_MODULE", "ALLOWED_HOSTS", "ALLOW_FILE_EMAIL")
        and key not in PRODUCTION
    }
    env.update(PRODUCTION)
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run(*args: str, **overrides: str | None) -> subprocess.CompletedProcess:
    return subprocess.run(
        list(args),
        cwd=ROOT,
        env=environment(**overrides),
        capture_output=True,
        text=True,
        timeout=60,
    )


# --- The rule, in process ----------------------------------------------------------------


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = PRODUCTION["SECRET_KEY"]
    settings.SITE_URL = PRODUCTION["SITE_URL"]
    settings.SITE_URL_CONFIGURED = True
    settings.EMAIL_BACKEND = PRODUCTION["EMAIL_BACKEND"]
    settings.ALLOWED_HOSTS = ["caflab.example"]
    settings.ALLOW_FILE_EMAIL = False
    return settings


def test_a_complete_production_configuration_has_no_problem(production):
    assert production_problems() == []
    assert run_checks(include_deployment_checks=True, tags=["caflab"]) == []


def test_development_is_never_refused(settings):
    settings.DEBUG = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    settings.SITE_URL_CONFIGURED = False
    settings.ALLOWED_HOSTS = ["*"]
    assert production_problems() == []


@pytest.mark.parametrize(
    ("setting", "value", "variable"),
    [
        ("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend", "EMAIL_BACKEND"),
        ("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend", "EMAIL_BACKEND"),
        ("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend", "EMAIL_BACKEND"),
        ("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend", "ALLOW_FILE_EMAIL"),
        ("SITE_URL_CONFIGURED", False, "SITE_URL"),
        ("SITE_URL", "ftp://caflab.example", "SITE_URL"),
        ("ALLOWED_HOSTS", ["caflab.example", "*"], "ALLOWED_HOSTS"),
        ("SECRET_KEY", "", "SECRET_KEY"),
    ],
)
def test_each_refusal_names_its_variable(production, setting, value, variable):
    setattr(production, setting, value)
    problems = production_problems()
    assert len(problems) == 1
    assert variable in problems[0][1]
    errors = run_checks(include_deployment_checks=True, tags=["caflab"])
    assert [error.id for error in errors] == [problems[0][0]]
    assert errors[0].is_serious()


def test_the_file_backend_is_allowed_when_asked_for(production):
    production.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    production.ALLOW_FILE_EMAIL = True
    assert production_problems() == []


def test_the_check_is_a_deploy_check_only(production):
    production.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    assert run_checks(tags=["caflab"]) == []  # `check`, `migrate`, `makemigrations`: silent


# --- The processes, started for real --------------------------------------------------------


def test_the_web_starts_with_a_complete_configuration():
    for module in ("caflab.wsgi", "caflab.asgi"):
        result = run(sys.executable, "-c", f"import {module}")
        assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("overrides", "variable"), REFUSALS, ids=REFUSAL_IDS)
def test_the_web_refuses_to_start(overrides, variable):
    result = run(sys.executable, "-c", "import caflab.wsgi", **overrides)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr


def test_the_asgi_entry_point_refuses_too():
    result = run(sys.executable, "-c", "import caflab.asgi", SITE_URL=None)
    assert result.returncode != 0
    assert "SITE_URL" in result.stderr


def test_the_file_backend_starts_when_allowed_as_make_stack_does():
    result = run(
        sys.executable,
        "-c",
        "import caflab.wsgi",
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        ALLOW_FILE_EMAIL="1",
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("process", ["worker", "beat"])
def test_the_worker_and_beat_refuse_to_start(process, tmp_path):
    result = run(
        CELERY,
        "-A",
        "caflab",
        process,
        "--loglevel",
        "INFO",
        CELERY_BROKER_URL="memory://localhost/",
        CELERY_BEAT_SCHEDULE_FILENAME=str(tmp_path / "celerybeat-schedule"),
        EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend",
    )
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "refuses to start" in output
    assert "EMAIL_BACKEND" in output


def test_a_complete_worker_starts(tmp_path):
    log = tmp_path / "worker.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [CELERY, "-A", "caflab", "worker", "--pool=solo", "--loglevel", "INFO"],
            cwd=ROOT,
            env=environment(CELERY_BROKER_URL="memory://localhost/"),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and "ready." not in log.read_text():
            assert process.poll() is None, log.read_text()
            time.sleep(0.2)
        assert "ready." in log.read_text(), log.read_text()
    finally:
        process.terminate()
        process.wait(timeout=30)
