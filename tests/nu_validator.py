"""The Nu HTML Checker (vnu), run on pages as the server sent them.

`vnu.jar` comes from npm's `vnu-jar` package (pinned in package.json / package-lock.json,
installed by `make install` into node_modules/ when npm is there) and runs on Debian's Java. Both
are local: the checker fetches nothing. `validate(documents)` writes each page to a temporary
folder, runs the checker once over all of them (one JVM start) and returns its errors, one line
each, named by the page's path.

Where Java or the jar is missing the check is skipped, unless E2E_REQUIRED=1 (CI), where their
absence fails the run, as for the browser.
"""

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
TIMEOUT_SECONDS = 300


def checker_or_skip() -> list[str]:
    """The command that starts the checker; skip (or fail on CI) when it cannot run here."""
    java = shutil.which("java")
    missing = []
    if java is None:
        missing.append("Java (apt-get install default-jre-headless)")
    if not VNU_JAR.exists():
        missing.append(f"{VNU_JAR.relative_to(ROOT)} (make install, with npm)")
    if missing:
        reason = "the Nu HTML Checker needs " + " and ".join(missing)
        if os.environ.get("E2E_REQUIRED") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return [java, "-Xss8m", "-jar", str(VNU_JAR)]


def validate(documents: dict[str, str]) -> list[str]:
    """The checker's errors over `documents` (path → HTML), as "path: line N: message"."""
    command = checker_or_skip()
    with tempfile.TemporaryDirectory(prefix="caflab-vnu-") as folder:
        names = {}
        for index, (path, html) in enumerate(documents.items()):
            name = Path(folder) / f"page-{index:03d}.html"
            name.write_text(html, encoding="utf-8")
            names[name.as_uri()] = path
            names[str(name)] = path
        result = subprocess.run(
            [
                *command,
                "--errors-only",
                "--format",
                "json",
                "--stdout",
                *map(str, sorted(Path(folder).glob("*.html"))),
            ],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    if not result.stdout.strip():
        raise RuntimeError(f"the Nu HTML Checker printed nothing: {result.stderr[-2000:]}")
    messages = json.loads(result.stdout)["messages"]
    errors = []
    for message in messages:
        if message.get("type") not in {"error", "non-document-error"}:
            continue
        url = message.get("url", "")
        path = names.get(url) or names.get(url.removeprefix("file:")) or url
        errors.append(f"{path}: line {message.get('lastLine', '?')}: {message.get('message')}")
    return errors
