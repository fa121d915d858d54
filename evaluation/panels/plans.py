"""The project-page panel: plans part (see evaluation/panels/__init__.py)."""

from typing import Any


def context(project, user) -> dict[str, Any] | None:
    return None
