"""The production profile is complete: every setting the code reads is documented in
.env.example and reaches the processes that read it in docker-compose.yml; every long-running
service restarts and is health-checked; only the TLS proxy is published."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("web", "worker", "beat")

# env("X"), env.bool("X"), env.int(…), env.list(…), env.path(…), env.db(…), and f-strings.
ENV_CALL = re.compile(
    r"""\benv(?:\.(?:bool|int|float|str|list|path|db|url|json))?\(\s*(f?)"([^"]+)\""""
)
OS_ENVIRON = re.compile(r"""os\.environ\.get\(\s*"([A-Z0-9_]+)\"""")


def settings_variables() -> set[str]:
    """The variables caflab/settings.py reads. An f-string is the SSO_{NAME}_* family: it is
    expanded for each configured provider (agents, citizens)."""
    source = (ROOT / "caflab" / "settings.py").read_text()
    names = set()
    for is_fstring, name in ENV_CALL.findall(source):
        if is_fstring:
            names |= {re.sub(r"\{[^}]*\}", provider.upper(), name) for provider in providers()}
        else:
            names.add(name)
    return names


def providers() -> list[str]:
    return list(settings.SSO_PROVIDERS)


def gunicorn_variables() -> set[str]:
    return set(OS_ENVIRON.findall((ROOT / "gunicorn.conf.py").read_text()))


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def documented_variables() -> set[str]:
    """Variables in .env.example, set (`X=…`) or shown commented (`# X=/srv/…`) when an empty
    value would mean something else than unset."""
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def reaches(service: dict, variable: str) -> bool:
    env_files = service.get("env_file") or []
    if isinstance(env_files, str | dict):
        env_files = [env_files]
    paths = [entry["path"] if isinstance(entry, dict) else entry for entry in env_files]
    if any(Path(path).name == ".env" for path in paths):
        return True
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(
            item.split("=", 1) if "=" in item else (item, None) for item in environment
        )
    return variable in environment


def is_one_shot(name: str, services: dict) -> bool:
    """A release job (migrations): restart "no", and waited for by the app services."""
    return services[name].get("restart") == "no" and all(
        (services[app].get("depends_on") or {}).get(name, {}).get("condition")
        == "service_completed_successfully"
        for app in APP_SERVICES
    )


def test_the_scan_finds_the_settings_including_the_sso_family():
    found = settings_variables()
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "EMAIL_HOST", "PRIVATE_MEDIA_ROOT"} <= found
    assert {"SSO_AGENTS_CLIENT_SECRET", "SSO_CITIZENS_DISCOVERY_URL"} <= found
    assert not any("{" in name for name in found)
    assert len(found) >= 36


def test_every_setting_is_documented_in_env_example():
    missing = (settings_variables() | gunicorn_variables()) - documented_variables()
    assert not missing, f"add to .env.example: {sorted(missing)}"


@pytest.mark.parametrize("service", APP_SERVICES)
def test_every_setting_reaches_the_app_services(service):
    definition = compose()["services"][service]
    missing = {name for name in settings_variables() if not reaches(definition, name)}
    assert not missing, f"{service} never receives {sorted(missing)}"


def test_gunicorn_settings_reach_the_web_service():
    web = compose()["services"]["web"]
    assert all(reaches(web, name) for name in gunicorn_variables())


def test_every_long_running_service_restarts_and_is_health_checked():
    services = compose()["services"]
    for name, service in services.items():
        if is_one_shot(name, services):
            continue
        assert service.get("restart") in ("unless-stopped", "always"), f"{name}: no restart"
        test = (service.get("healthcheck") or {}).get("test")
        assert test, f"{name}: no health check"
        assert test != ["NONE"], f"{name}: health check disabled"


def test_the_release_job_is_the_only_one_shot():
    services = compose()["services"]
    assert [name for name in services if is_one_shot(name, services)] == ["migrate"]


def test_health_checks_probe_what_each_service_does():
    services = compose()["services"]

    def command(name: str) -> str:
        test = services[name]["healthcheck"]["test"]
        return " ".join(test) if isinstance(test, list) else test

    assert "deploy/healthcheck.py" in command("web")
    assert "inspect ping" in command("worker")
    assert "celerybeat-schedule" in command("beat")
    assert "pg_isready" in command("db")
    assert "redis-cli ping" in command("redis")
    assert "wget" in command("proxy")
    assert "/healthz" in (ROOT / "deploy" / "healthcheck.py").read_text()


def test_only_the_tls_proxy_is_published():
    services = compose()["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}
    ports = {str(port).split("/")[0] for port in services["proxy"]["ports"]}
    assert ports == {"80:80", "443:443"}
    assert "8000" not in " ".join(str(port) for port in services["web"].get("ports", []))


def test_the_proxy_serves_site_url_and_passes_the_forwarded_headers_to_a_trusting_gunicorn():
    services = compose()["services"]
    proxy = services["proxy"]
    assert "SITE_URL" in proxy["environment"]
    assert any(volume.startswith("./deploy/Caddyfile:") for volume in proxy["volumes"])
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    assert "{$SITE_URL} {" in caddyfile
    assert "reverse_proxy web:8000" in caddyfile
    # gunicorn is reachable only from the compose network, so it trusts the proxy's headers.
    assert services["web"]["environment"]["FORWARDED_ALLOW_IPS"] == "*"
    assert str(services["web"]["environment"]["TRUSTED_PROXY_COUNT"]).endswith("1}")


def test_private_uploads_are_never_mounted_in_the_proxy():
    services = compose()["services"]
    assert not any("private-media" in volume for volume in services["proxy"]["volumes"])
    for name in APP_SERVICES:
        assert any(v.startswith("private-media:") for v in services[name]["volumes"])
    assert {"pgdata", "media", "private-media", "static"} <= set(compose()["volumes"])


def test_production_essentials_are_required_by_compose():
    environment = compose()["services"]["web"]["environment"]
    assert environment["DEBUG"] == "0"
    for name in ("SECRET_KEY", "SITE_URL"):
        assert ":?" in environment[name], f"compose must refuse to start without {name}"


def test_nginx_site_matches_the_upload_limit_and_guards_against_slow_clients():
    conf = (ROOT / "deploy" / "nginx" / "caflab.conf").read_text()
    assert "client_max_body_size 55m;" in conf
    for directive in ("client_header_timeout", "client_body_timeout", "proxy_buffering on"):
        assert directive in conf
    assert "return 301 https://" in conf
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf
    served = [line for line in conf.splitlines() if line.strip().startswith(("alias", "root"))]
    assert served
    assert not any("private" in line for line in served)
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    assert "max_size 55MB" in caddyfile


@pytest.mark.parametrize("unit", ["caflab-web", "caflab-worker", "caflab-beat"])
def test_systemd_units_run_hardened_as_a_dedicated_user(unit):
    text = (ROOT / "deploy" / "systemd" / f"{unit}.service").read_text()
    for line in (
        "User=caflab",
        "EnvironmentFile=/etc/caflab/caflab.env",
        "Restart=on-failure",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "ReadWritePaths=/srv/caflab/media /srv/caflab/private-media /srv/caflab/var",
    ):
        assert line in text.splitlines(), f"{unit}: {line}"


# --- Web settings derived from SITE_URL ---------------------------------------------------


def loaded_settings(**variables: str) -> dict:
    """ALLOWED_HOSTS and CSRF_TRUSTED_ORIGINS as caflab.settings computes them from `variables`
    (a fresh interpreter: the settings module reads the environment once)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in ("DJANGO_SETTINGS_MODULE", "SITE_URL", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS")
    }
    env.update(variables)
    code = (
        "import json; from caflab import settings as s; "
        "print(json.dumps([s.ALLOWED_HOSTS, s.CSRF_TRUSTED_ORIGINS, s.SITE_URL]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    hosts, origins, site_url = json.loads(result.stdout)
    return {"ALLOWED_HOSTS": hosts, "CSRF_TRUSTED_ORIGINS": origins, "SITE_URL": site_url}


def test_hosts_and_csrf_origins_follow_site_url():
    loaded = loaded_settings(SITE_URL="https://caflab.caf.fr/")
    assert loaded == {
        "ALLOWED_HOSTS": ["caflab.caf.fr"],
        "CSRF_TRUSTED_ORIGINS": ["https://caflab.caf.fr"],
        "SITE_URL": "https://caflab.caf.fr",
    }


def test_a_port_in_site_url_is_part_of_the_csrf_origin_not_of_the_host():
    loaded = loaded_settings(SITE_URL="https://caflab.caf.fr:8443")
    assert loaded["ALLOWED_HOSTS"] == ["caflab.caf.fr"]
    assert loaded["CSRF_TRUSTED_ORIGINS"] == ["https://caflab.caf.fr:8443"]


def test_explicit_hosts_and_origins_win_and_empty_ones_count_as_unset():
    loaded = loaded_settings(
        SITE_URL="https://caflab.caf.fr",
        ALLOWED_HOSTS="caflab.caf.fr,www.caflab.caf.fr",
        CSRF_TRUSTED_ORIGINS="",
    )
    assert loaded["ALLOWED_HOSTS"] == ["caflab.caf.fr", "www.caflab.caf.fr"]
    assert loaded["CSRF_TRUSTED_ORIGINS"] == ["https://caflab.caf.fr"]


def test_without_site_url_development_keeps_its_local_defaults():
    loaded = loaded_settings(DEBUG="1")
    assert loaded == {
        "ALLOWED_HOSTS": ["127.0.0.1", "localhost"],
        "CSRF_TRUSTED_ORIGINS": [],
        "SITE_URL": "http://127.0.0.1:8000",
    }
