"""Every domain app keeps the same shape (docs/architecture.md, "Where each kind of code
lives"): its Celery tasks in ONE module, `tasks.py` (a second `tasks_*.py` is only registered
if someone remembers to import it by hand), and its flows in services modules small enough to
read, `services.py` or a `services/` package split by flow. A services module that grows past
the limit fails here, naming the file, so it gets split instead of growing further."""

from pathlib import Path

from django.conf import settings

MAX_SERVICE_LINES = 500

# Past the limit already, to be split by flow (issue 15). A file listed here that falls back
# under the limit fails the last test: take it off the list then, so it cannot grow again.
SPLIT_PENDING: set[str] = set()


def domain_apps() -> list[str]:
    return [app for app in settings.LOCAL_APPS if not app.startswith("caflab.")]


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def extra_task_modules(root: Path, app: str) -> list[str]:
    """Task modules besides `<app>/tasks.py`: a `tasks_*.py` anywhere in the app, or a
    `tasks.py` in one of its subpackages."""
    app_dir = root / app
    found = set(app_dir.rglob("tasks_*.py")) | {
        path for path in app_dir.rglob("tasks.py") if path.parent != app_dir
    }
    return sorted(_relative(path, root) for path in found)


def service_modules(root: Path, app: str) -> list[Path]:
    app_dir = root / app
    modules = [app_dir / "services.py"] if (app_dir / "services.py").is_file() else []
    if (app_dir / "services").is_dir():
        modules += sorted((app_dir / "services").rglob("*.py"))
    return modules


def line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def long_service_modules(root: Path, app: str) -> dict[str, int]:
    return {
        _relative(path, root): lines
        for path in service_modules(root, app)
        if (lines := line_count(path)) > MAX_SERVICE_LINES
    }


def test_the_domain_apps_are_walked():
    root = Path(settings.BASE_DIR)
    apps = domain_apps()
    assert apps, "settings.LOCAL_APPS names no domain app"
    for app in apps:
        assert (root / app / "apps.py").is_file(), app
    # Each app has its flows somewhere the walk looks.
    assert all(service_modules(root, app) for app in apps)


def test_each_app_has_one_tasks_module():
    root = Path(settings.BASE_DIR)
    offenders = [module for app in domain_apps() for module in extra_task_modules(root, app)]
    assert not offenders, (
        f"Second tasks modules: {', '.join(offenders)}. Move their tasks into the app's "
        "tasks.py (keep each task's registered name with `name=` if it changes module: the "
        "broker and the beat schedule hold names as strings)."
    )


def test_no_services_module_is_over_the_limit():
    root = Path(settings.BASE_DIR)
    too_long = {
        module: lines
        for app in domain_apps()
        for module, lines in long_service_modules(root, app).items()
        if module not in SPLIT_PENDING
    }
    assert not too_long, (
        f"Services modules over {MAX_SERVICE_LINES} lines: "
        + ", ".join(f"{module} ({lines})" for module, lines in sorted(too_long.items()))
        + ". Split them by flow into a services/ package (see projects/services/__init__.py)."
    )


def test_the_split_pending_list_only_names_long_modules():
    root = Path(settings.BASE_DIR)
    long_now = {module for app in domain_apps() for module in long_service_modules(root, app)}
    done = sorted(SPLIT_PENDING - long_now)
    assert not done, f"Now split or short enough, take off SPLIT_PENDING: {', '.join(done)}"


def test_the_walk_sees_a_second_tasks_module_and_a_long_services_module(tmp_path):
    app = tmp_path / "shop"
    (app / "services").mkdir(parents=True)
    (app / "reports").mkdir()
    for name in ("tasks.py", "tasks_mail.py", "reports/tasks.py", "services/__init__.py"):
        (app / name).write_text("")
    (app / "services" / "orders.py").write_text("x = 1\n" * (MAX_SERVICE_LINES + 1))
    (app / "services" / "carts.py").write_text("x = 1\n" * MAX_SERVICE_LINES)

    assert extra_task_modules(tmp_path, "shop") == ["shop/reports/tasks.py", "shop/tasks_mail.py"]
    assert long_service_modules(tmp_path, "shop") == {
        "shop/services/orders.py": MAX_SERVICE_LINES + 1
    }


def test_the_walk_reads_a_single_services_module(tmp_path):
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "services.py").write_text("x = 1\n" * (MAX_SERVICE_LINES + 1))
    assert long_service_modules(tmp_path, "shop") == {"shop/services.py": MAX_SERVICE_LINES + 1}
