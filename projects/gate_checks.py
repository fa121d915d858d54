"""Checks other apps register to block a "go" at a gate review, without projects importing them.

An app registers `fn(project) -> list[str]` (in its AppConfig.ready()); each string is a reason,
in French, why a "go" should not be given now. `gate_decide` refuses a go or a go with conditions
while any reason stands, unless the decider writes an override justification.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from projects.models import Project

GoBlocker = Callable[["Project"], list[str]]

_blockers: list[GoBlocker] = []


def register_go_blocker(fn: GoBlocker) -> GoBlocker:
    """Register `fn` (idempotent: registering twice keeps one). Usable as a decorator."""
    if fn not in _blockers:
        _blockers.append(fn)
    return fn


def unregister_go_blocker(fn: GoBlocker) -> None:
    if fn in _blockers:
        _blockers.remove(fn)


def go_blockers(project: "Project") -> list[str]:
    """Every reason the registered checks give against a "go" for `project`."""
    reasons: list[str] = []
    for fn in _blockers:
        reasons.extend(fn(project))
    return reasons
