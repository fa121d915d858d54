"""The kit's panels (caflab.core.panels): on a project's page (its documents, what its next gate
expects and what is missing, its fiche d'essaimage), on an initiative's page (its documents and
its fiche, before a Caf declares interest), on a gate review's page (the deliverables, for the
reviewers). Each costs a fixed number of queries whatever the number of documents."""

from typing import Any

from django.http import HttpRequest

from kits.models import Document
from kits.services.deliverables import gate_target, kit_status
from kits.services.guides import has_guide
from projects.models import Stage


def _reader(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_authenticated and not user.is_citizen)


def project_context(request: HttpRequest, project: Any) -> dict[str, Any] | None:
    if not _reader(request):
        return None
    user = request.user
    documents = list(Document.objects.filter(project=project).with_list_data())
    stage = gate_target(project)
    rows = kit_status(project, stage, documents=documents) if stage else []
    can_edit = user.has_perm("kits.edit_holder", project)
    return {
        # Partners of an incubated project add documents too, without the team's other rights.
        "can_add_documents": can_edit or user.has_perm("kits.add_documents", project),
        "project": project,
        "documents": documents,
        "next_stage_label": Stage(stage).label if stage else "",
        "rows": rows,
        "n_missing": sum(1 for row in rows if not row.is_met),
        "n_blocking_missing": sum(1 for row in rows if row.is_missing_and_blocking),
        "can_edit": can_edit,
        "can_check": can_edit and user.has_perm("kits.check_deliverable", project),
        "has_guide": has_guide(project),
    }


def initiative_context(request: HttpRequest, initiative: Any) -> dict[str, Any] | None:
    if not _reader(request):
        return None
    return {
        "initiative": initiative,
        "documents": list(Document.objects.filter(initiative=initiative).with_list_data()),
        "can_edit": request.user.has_perm("kits.edit_holder", initiative),
        "has_guide": has_guide(initiative),
    }


def gate_review_context(request: HttpRequest, review: Any) -> dict[str, Any] | None:
    if not _reader(request):
        return None
    rows = kit_status(review.project, review.to_stage)
    if not rows:
        return None
    return {
        "review": review,
        "project": review.project,
        "rows": rows,
        "n_blocking_missing": sum(1 for row in rows if row.is_missing_and_blocking),
    }
