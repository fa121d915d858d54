"""The project-page panel: the ecological programme's notice (see evaluation/panels/__init__.py).

A project of a programme that requires an ecological assessment
(`Programme.requires_ecological_assessment`) must have one before its experimentation gate
(`evaluation.services.ecological.missing_assessment_blocks_go`). Before that gate, while it has
none, its team and the lab read it on the project's page, with a link to where it is written.
No query of its own: the counts come with the panel's (`project_counts`).
"""

from typing import Any

from evaluation.panels import project_counts
from evaluation.services.ecological import assessment_url
from projects.models import ADVANCED_STAGES, PIPELINE


def context(project, user) -> dict[str, Any] | None:
    if project.stage not in PIPELINE or project.stage in ADVANCED_STAGES:
        return None  # at or past the gate (or off the pipeline): the gate itself says it
    if not user.has_perm("evaluation.change_participation", project):
        return None  # its team and the lab, who write the assessment
    counts = project_counts(project)
    if not counts["needs_ecological_assessment"] or counts["n_ecological_ratings"]:
        return None
    return {"url": assessment_url(project)}
