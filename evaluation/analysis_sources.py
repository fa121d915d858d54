"""What the evaluation gives the analysis of texts (`analysis.sources`): a project's testimonies
and an evaluation survey's open answers, each analysable like a consultation's answers. The
analysis app imports nothing of this app: `EvaluationConfig.ready()` registers these sources.

Texts are copied with their segment (the survey's wave, the audience, the Caf), never with a
link to a person. A testimony is quotable only when its author consented
(`Testimony.consent_to_quote`); a survey answer when anonymous (écoute's rule). Who may
analyse: those who edit the project's participation (the lab, the project's lead and team)."""

from collections.abc import Iterator
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from analysis.models import Analysis, SourceKind
from analysis.services.texts import answer_count, answer_texts
from analysis.sources import Source, SourceText
from ecoute.models import Answer
from evaluation.models import Survey, SurveyWave, Testimony
from projects.models import Project

TESTIMONIES = "project_testimonies"
SURVEY = "evaluation_survey"


def _analysable_projects(user: Any) -> QuerySet:
    if not (user.is_authenticated and user.has_perm("evaluation.view_participation")):
        return Project.objects.none().values("pk")
    projects = Project.objects.visible_to(user)
    if not user.is_lab_staff:
        projects = projects.filter(Q(lead=user) | Q(team_members__user=user))
    return projects.order_by().values("pk")


def _may_analyse(user: Any, project: Project) -> bool:
    return bool(
        user.has_perm("evaluation.view_participation")
        and user.has_perm("evaluation.change_participation", project)
    )


def _testimony_texts(project: Project) -> Iterator[SourceText]:
    for row in (
        Testimony.objects.filter(project=project)
        .order_by("pk")
        .values("pk", "text", "caf_id", "consent_to_quote")
        .iterator(chunk_size=2000)
    ):
        yield SourceText(
            SourceKind.TESTIMONY,
            row["pk"],
            row["text"],
            is_quotable=row["consent_to_quote"],
            caf_id=row["caf_id"],
        )


def _survey_answers(survey: Survey):
    return Answer.objects.filter(questionnaire_id=survey.questionnaire_id).order_by()


def _survey_texts(survey: Survey) -> Iterator[SourceText]:
    waves = {
        wave.pk: wave.label or wave.get_kind_display()
        for wave in SurveyWave.objects.filter(survey=survey)
    }
    yield from answer_texts(
        _survey_answers(survey), wave_field="response__wave_link__wave_id", wave_names=waves
    )


PROJECT_TESTIMONIES = Source(
    key=TESTIMONIES,
    label=gettext_lazy("Témoignages du projet"),
    model=Project,
    texts=_testimony_texts,
    count=lambda project: Testimony.objects.filter(project=project).count(),
    may_analyse=_may_analyse,
    analysable_by=_analysable_projects,
    title=lambda project: (
        _("Témoignages – %(code)s %(title)s") % {"code": project.code, "title": project.title}
    ),
    page=lambda project: (
        project.code,
        project.get_absolute_url(),
        reverse("evaluation:testimonies", kwargs={"code": project.code}),
    ),
)

EVALUATION_SURVEY = Source(
    key=SURVEY,
    label=gettext_lazy("Réponses écrites d’une enquête d’évaluation"),
    model=Survey,
    texts=_survey_texts,
    count=lambda survey: answer_count(_survey_answers(survey)),
    may_analyse=lambda user, survey: _may_analyse(user, survey.project),
    analysable_by=lambda user: (
        Survey.objects.filter(project__in=_analysable_projects(user)).order_by().values("pk")
    ),
    title=lambda survey: _("Enquête – %(title)s") % {"title": survey.title},
    page=lambda survey: (
        survey.project.code,
        survey.project.get_absolute_url(),
        reverse("evaluation:survey-detail", kwargs={"pk": survey.pk}),
    ),
)


def project_analyses(project: Project) -> QuerySet[Analysis]:
    """The analyses of a project's testimonies and of its surveys' answers (oldest first)."""
    return Analysis.objects.filter(
        Q(source=TESTIMONIES, subject_id=project.pk)
        | Q(source=SURVEY, subject_id__in=Survey.objects.filter(project=project).values("pk"))
    ).order_by("created_at", "pk")


def analysis_for(source: str, subject: Any) -> Analysis | None:
    return Analysis.objects.filter(source=source, subject_id=subject.pk).first()
