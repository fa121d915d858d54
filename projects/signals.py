"""Signals the portfolio sends so that other apps can follow its projects without projects
importing them (e.g. écoute tells the authors of contributions taken into a project).

`stage_changed` is sent inside the transaction that moves a project's stage, after the move is
saved, with `project`, `from_stage`, `to_stage` and `by` (the user who decided). Receivers run
in that transaction: what they write commits or rolls back with the move.
"""

from django.dispatch import Signal

stage_changed = Signal()
