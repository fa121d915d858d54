"""The register of negative and unexpected effects: recorded, owned, moved through their
statuses with a comment each time (the history is `EffectChange`), the owner told.

An open severe negative effect blocks a "go" at the project's next gate review:
`open_severe_effects_block_go` is registered with `projects.gate_checks` at start-up.
"""

from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caflab.core.errors import InvalidState
from caflab.core.workflow import Workflow, transition
from caflab.notifications.services import notify
from evaluation.models import Effect, EffectChange
from projects.models import Project
from projects.services import AlreadyDone

EFFECT_FIELDS = (
    "nature",
    "description",
    "affected",
    "severity",
    "likelihood",
    "mitigation",
    "owner",
    "caf",
)
# The register's moves (a closed effect may be reopened), its history `EffectChange`.
WORKFLOW = Workflow(
    moves=Effect.TRANSITIONS,
    history=EffectChange,
    already_error=AlreadyDone,
    already_message=gettext_lazy("L’effet a déjà ce statut."),
    refused_message=gettext_lazy(
        "Ce changement de statut n’est pas possible depuis « %(label)s »."
    ),
)


def effect_url(effect: Effect) -> str:
    return reverse("evaluation:effect-detail", kwargs={"pk": effect.pk})


@transaction.atomic
def effect_record(*, project: Project, by: Any, **fields: Any) -> Effect:
    """Add an effect to the register (open), with the first line of its history; its owner
    is told."""
    unknown = set(fields) - set(EFFECT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown effect fields: {sorted(unknown)}")
    now = timezone.now()
    effect = Effect.objects.create(
        project=project, recorded_by=by, status=Effect.Status.OPEN, status_changed_at=now, **fields
    )
    EffectChange.record(
        effect,
        from_state="",
        to_state=Effect.Status.OPEN,
        by=by,
        reason=_("Effet signalé."),
        at=now,
    )
    if effect.owner_id:
        notify(
            recipients=[effect.owner],
            kind="evaluation.effect_assigned",
            title=_("%(code)s : un effet vous est confié (gravité « %(severity)s »)")
            % {"code": project.code, "severity": effect.get_severity_display()},
            body=effect.description,
            url=effect_url(effect),
            actor=by,
        )
    return effect


@transaction.atomic
def effect_transition(*, effect: Effect, to_status: str, comment: str, by: Any) -> Effect:
    """Move `effect` to `to_status`, with the reason. A move already made (a double click) is
    AlreadyDone; a move the register does not allow, or without a comment, is refused."""
    comment = comment.strip()

    def prepare(effect: Effect) -> None:
        if not comment:
            raise InvalidState({"comment": _("Expliquez ce changement de statut.")})

    effect = transition(
        effect,
        to=to_status,
        by=by,
        workflow=WORKFLOW,
        reason=comment,
        prepare=prepare,
        queryset=Effect.objects.select_related("project", "owner"),
    )
    if effect.owner_id:
        notify(
            recipients=[effect.owner],
            kind="evaluation.effect_status",
            title=_("%(code)s : l’effet « %(effect)s » passe à « %(status)s »")
            % {
                "code": effect.project.code,
                "effect": str(effect),
                "status": effect.get_status_display(),
            },
            body=comment,
            url=effect_url(effect),
            actor=by,
        )
    return effect


def open_severe_effects_block_go(project: Project) -> list[str]:
    """The gate check: one reason per open severe negative effect of `project`."""
    return [
        _("effet négatif grave ouvert : « %(effect)s »") % {"effect": str(effect)}
        for effect in Effect.objects.blocking().filter(project=project).order_by("created_at")
    ]
