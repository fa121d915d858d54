"""Essaimage: a Caf declares it wants a project (one deployment per project × Caf), moves its
deployment through its statuses (`DEPLOYMENT_WORKFLOW`, with its history) and records how it
adapted the project.

Every flow is atomic and tells the people concerned through `notify`, after the commit.
"""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caflab.accounts.models import User
from caflab.core import errors
from caflab.core.workflow import Workflow, transition
from caflab.network.models import Caf
from caflab.notifications.services import follow, notify
from projects.models import Adaptation, Deployment, DeploymentChange, Project
from projects.services.projects import project_audience

# A Caf may move its deployment from any status to any other (the adoption curve reads them).
DEPLOYMENT_WORKFLOW = Workflow(
    moves={
        status: tuple(other for other in Deployment.Status if other != status)
        for status in Deployment.Status
    },
    history=DeploymentChange,
    already_message=gettext_lazy("Le déploiement a déjà ce statut."),
)


# --- essaimage ---------------------------------------------------------------------------


@transaction.atomic
def deployment_declare(
    *, project: Project, caf: Caf, by: User, local_lead: User | None = None, comment: str = ""
) -> tuple[Deployment, bool]:
    """A Caf says "we want it": one deployment per project × Caf. Declaring again keeps the
    first one; `created` tells the two apart."""
    deployment, created = Deployment.objects.get_or_create(
        project=project,
        caf=caf,
        defaults={"declared_by": by, "local_lead": local_lead or by, "comment": comment},
    )
    if created:
        DeploymentChange.record(deployment, from_state="", to_state=deployment.status, by=by)
        follow(user=by, obj=project)
        notify(
            recipients=project_audience(project),
            kind="project.deployment_declared",
            title=_("%(caf)s veut déployer %(code)s") % {"caf": caf, "code": project.code},
            body=comment,
            url=project.get_absolute_url(),
            actor=by,
            key=f"project.deployment_declared:{deployment.pk}",
        )
    return deployment, created


@transaction.atomic
def deployment_move(
    *, deployment: Deployment, by: User, status: str, reason: str = ""
) -> Deployment:
    def prepare(deployment: Deployment) -> list[str]:
        if status in (Deployment.Status.DECLINED, Deployment.Status.STOPPED) and not reason.strip():
            raise errors.InvalidState({"reason": _("Indiquez le motif.")})
        if reason:
            deployment.reason = reason  # kept on the deployment: its history has no reason
        return ["reason"]

    deployment = transition(
        deployment, to=status, by=by, workflow=DEPLOYMENT_WORKFLOW, prepare=prepare
    )
    project = deployment.project
    notify(
        recipients=project_audience(project),
        kind="project.deployment_moved",
        title=_("%(code)s dans la %(caf)s : %(status)s")
        % {"code": project.code, "caf": deployment.caf, "status": deployment.get_status_display()},
        body=reason,
        url=project.get_absolute_url(),
        actor=by,
    )
    return deployment


def adaptation_add(*, deployment: Deployment, by: User, **fields: Any) -> Adaptation:
    return Adaptation.objects.create(deployment=deployment, author=by, **fields)
