"""No test patches our own code (issue 15): a test that replaces a function of ours proves
nothing about it. Tests change behaviour through real mechanisms instead: settings (the
`settings` fixture), a real failing backend (tests/mail_backends.py, a cache or a broker where
nothing listens, tests/brokers.py), Celery's own signals to see what was queued, time-machine
for the clock.

This walks tests/**/*.py with `ast` and fails on any `monkeypatch.setattr/delattr` or
`mock.patch*` (or `patch*` imported from unittest.mock, `mocker.patch*`) whose target is in
our packages, and on any other one not in ALLOWED below, with its reason."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent
OWN_PACKAGES = {"caflab", "projects", "criees", "ecoute", "evaluation", "analysis", "tests"}

# (test file, patched target) → why no real mechanism fits. Third-party and standard library
# only; keep it short.
ALLOWED = {
    ("tests/accounts/test_importing.py", "builtins.input"): (
        "the command's confirmation prompt reads the terminal; a test has none"
    ),
    ("tests/criees/test_images.py", "PIL.ImageFile.LOAD_TRUNCATED_IMAGES"): (
        "Pillow's global switch, set as WeasyPrint leaves it once imported"
    ),
    ("tests/notifications/test_fanout.py", "django.db.connection.vendor"): (
        "the ORM path for databases other than PostgreSQL, on the PostgreSQL test database"
    ),
}

MONKEYPATCH = {"monkeypatch.setattr", "monkeypatch.delattr"}
PATCH_SUFFIXES = ("patch", "patch.object", "patch.dict", "patch.multiple")


def _imports(tree: ast.Module) -> dict[str, str]:
    """Local name → the dotted name it was imported as."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    root = alias.name.split(".")[0]
                    names[root] = root
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _is_patcher(func: str, imports: dict[str, str]) -> bool:
    if func in MONKEYPATCH:
        return True
    for suffix in PATCH_SUFFIXES:
        for prefix in ("mock.", "unittest.mock.", "mocker."):
            if func == prefix + suffix:
                return True
        if func == suffix and imports.get("patch") == "unittest.mock.patch":
            return True
    return False


def _target(call: ast.Call, imports: dict[str, str]) -> str:
    """The dotted name patched: the string given, or the object (resolved through the file's
    imports) and the attribute name."""
    if not call.args:
        return "?"
    first = call.args[0]
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value
    obj = ast.unparse(first)
    root, _, rest = obj.partition(".")
    if root in imports:
        obj = imports[root] + ("." + rest if rest else "")
    second = call.args[1] if len(call.args) > 1 else None
    if isinstance(second, ast.Constant) and isinstance(second.value, str):
        return f"{obj}.{second.value}"
    return obj


def patches_in(source: str, filename: str = "<test>") -> list[tuple[int, str]]:
    """(line, target) of every patch call in `source`."""
    tree = ast.parse(source, filename=filename)
    imports = _imports(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _is_patcher(ast.unparse(node.func), imports):
            found.append((node.lineno, node.col_offset, _target(node, imports)))
    return [(line, target) for line, _col, target in sorted(found)]


def _is_own(target: str) -> bool:
    return target.split(".")[0] in OWN_PACKAGES


def test_no_test_patches_our_own_code_and_others_only_as_allowed():
    problems = []
    seen = set()
    for path in sorted(TESTS.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        for line, target in patches_in(path.read_text(encoding="utf-8"), relative):
            seen.add((relative, target))
            if _is_own(target):
                problems.append(
                    f"{relative}:{line} patches our own {target}: use a setting, a real "
                    "failing backend, Celery's signals or time-machine instead"
                )
            elif (relative, target) not in ALLOWED:
                problems.append(
                    f"{relative}:{line} patches {target}: find a real mechanism, or add it to "
                    "ALLOWED with the reason"
                )
    stale = [f"{file}: {target}" for file, target in ALLOWED if (file, target) not in seen]
    assert not problems, "\n".join(problems)
    assert not stale, "allowed but no longer patched, remove: " + ", ".join(stale)


def test_the_check_sees_every_way_of_patching():
    source = """
from unittest import mock
from unittest.mock import patch
from caflab.notifications import services
from PIL import ImageFile

def test_x(monkeypatch, mocker):
    monkeypatch.setattr(services, "FLUSH_BATCH_SIZE", 2)
    monkeypatch.setattr("ecoute.services.exports.SPOOL_BYTES", 64)
    with mock.patch.object(services, "enqueue"), patch("caflab.core.views.FAVICON", "x"):
        pass
    mocker.patch("evaluation.services.reports.render_report_pdf")
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    client.patch("/url/")  # an HTTP PATCH, not a patch
"""
    assert patches_in(source) == [
        (8, "caflab.notifications.services.FLUSH_BATCH_SIZE"),
        (9, "ecoute.services.exports.SPOOL_BYTES"),
        (10, "caflab.notifications.services.enqueue"),
        (10, "caflab.core.views.FAVICON"),
        (12, "evaluation.services.reports.render_report_pdf"),
        (13, "PIL.ImageFile.LOAD_TRUNCATED_IMAGES"),
    ]
    assert [_is_own(target) for _line, target in patches_in(source)] == [True] * 5 + [False]
