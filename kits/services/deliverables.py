"""The stage kits: what the next gate of a project expects, what is there and what is missing,
the checklist items its team ticks, and the check that refuses a "go" while a blocking
deliverable is missing (registered with `projects.gate_checks` in KitsConfig.ready(): the
portfolio never imports this app).

The kit of a stage is what the gate *into* that stage expects (as a gate criterion's target
stage): a project at "prototype" works towards the kit of "experimentation"; a review already
asked for names its target (a "go" may skip stages).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from caflab.accounts.models import User
from caflab.core import errors
from kits.models import Deliverable, DeliverableCheck, Document
from projects.models import GateReview, Project, Stage


@dataclass
class DeliverableStatus:
    deliverable: Deliverable
    documents: list[Document] = field(default_factory=list)
    check: DeliverableCheck | None = None

    @property
    def is_met(self) -> bool:
        if self.deliverable.is_checklist:
            return self.check is not None
        return bool(self.documents)

    @property
    def is_missing_and_blocking(self) -> bool:
        return self.deliverable.is_blocking and not self.is_met


def gate_target(project: Project) -> str | None:
    """The stage the project's next gate leads to: its open review's target, else the next
    stage of the pipeline (None at the end or off it). Reads the prefetched reviews when the
    project's page loaded them."""
    open_review = next(
        (r for r in project.gate_reviews.all() if r.status == GateReview.Status.REQUESTED), None
    )
    if open_review is not None:
        return open_review.to_stage
    return project.next_stage


def kit_status(
    project: Project, stage: str, *, documents: Iterable[Document] | None = None
) -> list[DeliverableStatus]:
    """Each active deliverable the gate into `stage` expects, with the project's documents of
    its kind or its ticked check. Three queries at most (two with `documents` given: the
    project's documents the caller already loaded)."""
    deliverables = list(Deliverable.objects.for_gate(stage))
    if not deliverables:
        return []
    if documents is None:
        kinds = {d.document_kind for d in deliverables if d.document_kind}
        documents = (
            Document.objects.filter(project=project, kind__in=kinds).with_list_data()
            if kinds
            else []
        )
    by_kind: dict[str, list[Document]] = {}
    for document in documents:
        by_kind.setdefault(document.kind, []).append(document)
    checks: dict[int, DeliverableCheck] = {}
    if any(d.is_checklist for d in deliverables):
        checks = {
            check.deliverable_id: check
            for check in DeliverableCheck.objects.filter(
                project=project, deliverable__in=[d.pk for d in deliverables if d.is_checklist]
            ).select_related("checked_by")
        }
    return [
        DeliverableStatus(
            deliverable=d,
            documents=by_kind.get(d.document_kind, []) if d.document_kind else [],
            check=checks.get(d.pk),
        )
        for d in deliverables
    ]


def missing_blocking_deliverables(project: Project) -> list[str]:
    """The registered "go" blocker: one reason (in French) naming the blocking deliverables of
    the next gate's kit the project does not have yet; none when all are there."""
    stage = gate_target(project)
    if stage is None:
        return []
    missing = [row for row in kit_status(project, stage) if row.is_missing_and_blocking]
    if not missing:
        return []
    return [
        _("livrables bloquants manquants pour l’étape « %(stage)s » : %(labels)s")
        % {
            "stage": Stage(stage).label,
            "labels": ", ".join(row.deliverable.label for row in missing),
        }
    ]


@transaction.atomic
def deliverable_check(
    *, project: Project, deliverable: Deliverable, by: User, checked: bool
) -> DeliverableCheck | None:
    """Tick (or untick) a checklist item of a kit for `project`. Ticking twice, or unticking
    what is not ticked, is "already done"."""
    if not deliverable.is_checklist:
        raise errors.InvalidState(
            _("Ce livrable est un document : il est fourni en déposant le document.")
        )
    if not checked:
        deleted, _rows = DeliverableCheck.objects.filter(
            project=project, deliverable=deliverable
        ).delete()
        if not deleted:
            raise errors.AlreadyDone(_("C’est déjà fait : ce point n’est pas coché."))
        return None
    try:
        with transaction.atomic():
            return DeliverableCheck.objects.create(
                project=project, deliverable=deliverable, checked_by=by
            )
    except IntegrityError as exc:
        raise errors.AlreadyDone(_("C’est déjà fait : ce point est déjà coché.")) from exc
