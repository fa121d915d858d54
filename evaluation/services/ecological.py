"""The ecological-transition programme's rules at gate reviews, registered with
`projects.gate_checks` in EvaluationConfig.ready():

- a project of a programme that requires it (`Programme.requires_ecological_assessment`, the
  "Transition écologique" programme) must have its ecological assessment (the seven objectives)
  before a "go" into experimentation or a later stage;
- a "défavorable" rating on an objective with no mitigation noted blocks a "go" at any gate,
  for every project (the assessment is the project's own, whatever its programmes).

Both are go blockers: `projects.services.gates.gate_decide` then asks the decider for the
written override justification it already keeps on the review.
"""

from django.urls import reverse
from django.utils.translation import gettext as _

from evaluation.models import EcologicalRating
from projects.models import ADVANCED_STAGES, GateReview, Project

N_OBJECTIVES = len(EcologicalRating.Objective.values)


def assessment_url(project: Project) -> str:
    return reverse("evaluation:ecological-edit", kwargs={"code": project.code})


def requiring_programmes(project: Project) -> list[str]:
    """The names of `project`'s programmes that require an ecological assessment."""
    return list(
        project.programmes.filter(requires_ecological_assessment=True)
        .order_by("name")
        .values_list("name", flat=True)
    )


def _target_stage(project: Project) -> str | None:
    """Where the project's open gate review leads (the review being decided), else the next
    stage."""
    pending = GateReview.objects.pending().filter(project=project).values_list("to_stage")[:1]
    return next((stage for (stage,) in pending), None) or project.next_stage


def missing_assessment_blocks_go(project: Project) -> list[str]:
    """The gate check: a project of the ecological programme going into experimentation (or
    beyond) without its seven ratings."""
    if _target_stage(project) not in ADVANCED_STAGES:
        return []
    programmes = requiring_programmes(project)
    if not programmes:
        return []
    n_rated = EcologicalRating.objects.filter(project=project).count()
    if n_rated >= N_OBJECTIVES:
        return []
    names = ", ".join(f"« {name} »" for name in programmes)
    if n_rated == 0:
        reason = _(
            "programme %(programmes)s : l’évaluation de la transition écologique du projet "
            "manque avant l’expérimentation (à remplir sur %(url)s)"
        )
    else:
        reason = _(
            "programme %(programmes)s : l’évaluation de la transition écologique du projet est "
            "incomplète (%(n)s objectifs sur 7) avant l’expérimentation (à compléter sur %(url)s)"
        )
    return [reason % {"programmes": names, "n": n_rated, "url": assessment_url(project)}]


def unmitigated_negative_ratings_block_go(project: Project) -> list[str]:
    """The gate check: one reason per objective rated "défavorable" with no mitigation."""
    labels = dict(EcologicalRating.Objective.choices)
    objectives = EcologicalRating.objects.filter(
        project=project, rating=EcologicalRating.Rating.NEGATIVE, mitigation=""
    ).values_list("objective", flat=True)
    return [
        _("évaluation écologique défavorable sans mesure d’atténuation notée : « %(objective)s »")
        % {"objective": labels.get(objective, objective)}
        for objective in sorted(objectives, key=list(labels).index)
    ]
