"""The import rules of docs/architecture.md hold: `lint-imports` (import-linter, its contracts in
pyproject.toml) walks every import of our packages, indirect ones too, and fails on the first
contract broken. Running it here puts it in `make test`, so CI refuses a core module that
imports a domain app."""

import subprocess
import sys
import tomllib
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def contracts() -> dict[str, dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}


def test_every_import_contract_is_kept():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    # --no-cache: leave no cache folder in the work tree.
    result = subprocess.run(
        [str(lint_imports), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 broken" in result.stdout


def test_the_core_and_the_platform_are_forbidden_every_domain_app():
    """A new domain app must be added to the contracts: every installed app of ours outside
    `caflab` is one."""
    domains = {app for app in settings.LOCAL_APPS if not app.startswith("caflab.")}
    assert domains == {
        "projects",
        "ideas",
        "criees",
        "ecoute",
        "evaluation",
        "analysis",
        "events",
        "kits",
        "incubator",
    }
    for contract_id in ("core-is-domain-free", "platform-is-domain-free"):
        assert domains <= set(contracts()[contract_id]["forbidden_modules"]), contract_id
