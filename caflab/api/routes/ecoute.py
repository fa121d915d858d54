"""Consultations with their status, their published results (aggregates only, with the site's
small-group rule: `ecoute.services.results.stored_results` and `Group.is_masked`, the very
service the results page reads) and the restitutions with the follow-up of their decisions."""

from typing import Any

from django.db.models import Exists, OuterRef, Prefetch
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router

from caflab.api import schemas
from caflab.api.http import ApiError, json_answer, list_answer, one_or_404, paginate
from caflab.api.routes.portfolio import caf_ref
from caflab.network.models import Caf
from ecoute.models import Consultation, Decision, DecisionUpdate, Restitution
from ecoute.results import MIN_GROUP_SIZE
from ecoute.services.results import stored_results
from ecoute.views.restitution import project_links
from projects.models import Project

router = Router(tags=["Consultations et restitutions"])

Status = Consultation.Status


def _consultations(user: Any):
    published = Restitution.objects.published().filter(consultation=OuterRef("pk"))
    return (
        Consultation.objects.visible_to(user)
        .select_related("caf")
        .prefetch_related(
            Prefetch("perimeter_cafs", queryset=Caf.objects.order_by("position", "pk"))
        )
        .annotate(
            is_managed=Exists(Consultation.objects.managed_by(user).filter(pk=OuterRef("pk"))),
            published_restitution=published.values("pk")[:1],
        )
    )


def results_available(consultation: Consultation) -> bool:
    """Published results, for whoever sees the consultation; any time, for its managers (as
    on the site's results page)."""
    return consultation.status == Status.RESULTS_PUBLISHED or bool(consultation.is_managed)


def serialize_consultation(consultation: Consultation) -> dict[str, Any]:
    return schemas.ConsultationOut(
        id=consultation.pk,
        slug=consultation.slug,
        title=consultation.title,
        summary=consultation.summary,
        audience=consultation.audience,
        access=consultation.access,
        status=consultation.status,
        status_label=consultation.get_status_display(),
        opens_at=consultation.opens_at,
        closes_at=consultation.closes_at,
        caf=caf_ref(consultation.caf),
        perimeter_cafs=[caf_ref(c) for c in consultation.perimeter_cafs.all()],
        results_available=results_available(consultation),
        restitution_id=consultation.published_restitution,
        url=consultation.get_absolute_url(),
        updated_at=consultation.updated_at,
    ).model_dump(mode="json")


@router.get(
    "/consultations/",
    response={200: schemas.ConsultationPage, 400: schemas.ErrorOut},
    url_name="consultations",
    summary="Consultations",
)
def consultations(request: HttpRequest) -> HttpResponse:
    """Filters: `status`, `audience`, `caf` (code); pagination: `limit`, `cursor`."""
    queryset = _consultations(request.auth)
    for param, field, choices in (
        ("status", "status", Status.values),
        ("audience", "audience", Consultation.Audience.values),
    ):
        value = request.GET.get(param, "")
        if value:
            if value not in choices:
                raise ApiError(400, _("Valeur inconnue pour « %(p)s ».") % {"p": param})
            queryset = queryset.filter(**{field: value})
    if request.GET.get("caf"):
        queryset = queryset.filter(caf__code=request.GET["caf"][:10])
    rows, next_url = paginate(request, queryset)
    return list_answer(request, rows, next_url, serialize_consultation)


@router.get(
    "/consultations/{int:pk}/",
    response={200: schemas.ConsultationOut, 404: schemas.ErrorOut},
    url_name="consultation",
    summary="Une consultation",
)
def consultation(request: HttpRequest, pk: int) -> HttpResponse:
    row = one_or_404(_consultations(request.auth), pk=pk)
    return json_answer(request, serialize_consultation(row), rows=[row])


def _group(group: Any) -> dict[str, Any]:
    return {
        "key": group.segment.key,
        "label": group.segment.label,
        "count": None if group.is_masked else group.count,
        "masked": group.is_masked,
    }


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _question(result: Any) -> dict[str, Any]:
    return {
        "number": result.number,
        "label": result.question.label,
        "kind": result.kind,
        "answered": result.answered,
        "options": [
            {
                "label": o.label,
                "count": o.count,
                "percent": o.percent,
                "mean_rank": o.mean_rank,
                "is_other": o.is_other,
            }
            for o in result.options
        ],
        "mean": result.mean,
        "minimum": _text(result.minimum),
        "maximum": _text(result.maximum),
        "distribution": [{"label": label, "count": n} for label, n in result.distribution],
        "text_count": result.text_count,
        "other_count": result.other_count,
    }


@router.get(
    "/consultations/{int:pk}/resultats/",
    response={200: schemas.ResultsOut, 404: schemas.ErrorOut},
    url_name="consultation-results",
    summary="Résultats agrégés d’une consultation",
)
def consultation_results(request: HttpRequest, pk: int) -> HttpResponse:
    """Counts, shares and means per question, never a written answer. `segment`
    (`audience:citizen`, `caf:38`…, as listed in `by_audience` / `by_caf`) narrows them to a
    group; a group of fewer than `min_group_size` responses is masked (its count and its
    results are null), exactly as on the site."""
    consultation = one_or_404(_consultations(request.auth).select_related("questionnaire"), pk=pk)
    questionnaire = getattr(consultation, "questionnaire", None)
    if not results_available(consultation) or questionnaire is None:
        raise ApiError(404, _("Les résultats de cette consultation ne sont pas publiés."))
    segment_key = request.GET.get("segment", "")[:40]
    stored = stored_results(questionnaire, segment_key)
    payload: dict[str, Any] = {
        "consultation_id": consultation.pk,
        "min_group_size": MIN_GROUP_SIZE,
        "computed_at": stored.computed_at,
        "pending": not stored.is_ready,
        "response_count": stored.response_count,
        "by_audience": [],
        "by_caf": [],
        "segment": segment_key,
        "masked": False,
        "questions": [],
    }
    if stored.is_ready:
        group = stored.groups.find(segment_key) if segment_key else None
        if segment_key and group is None:
            raise ApiError(404, _("Ce groupe de répondants n’existe pas."))
        masked = bool(group and group.is_masked)
        results = None if masked else stored.results(questionnaire, group and group.segment)
        payload.update(
            by_audience=[_group(g) for g in stored.groups.by_audience],
            by_caf=[_group(g) for g in stored.groups.by_caf],
            masked=masked,
            pending=results is None and not masked,
            questions=[_question(r) for r in results or []],
        )
    body = schemas.ResultsOut(**payload).model_dump(mode="json")
    return json_answer(request, body, last_modified=stored.computed_at)


# --- restitutions ----------------------------------------------------------------------------


def _restitutions(user: Any):
    decisions = Decision.objects.select_related("project").order_by("position", "pk")
    return (
        Restitution.objects.published()
        .filter(consultation__in=Consultation.objects.visible_to(user))
        .select_related("consultation")
        .prefetch_related(Prefetch("decisions", queryset=decisions))
    )


def serializer_of_restitutions(restitutions: list[Restitution], user: Any):
    """Each restitution with its decisions, the project of a decision only where this reader
    may open it (the site's `project_links`), and each decision's latest update: three
    queries for the whole page."""
    decisions = [d for r in restitutions for d in r.decisions.all()]
    links = project_links([d.project for d in decisions if d.project_id], user)
    latest = (
        {
            update.decision_id: update
            for update in DecisionUpdate.objects.filter(decision__in=[d.pk for d in decisions])
            .order_by("decision_id", "-at", "-pk")
            .distinct("decision_id")
        }
        if decisions
        else {}
    )

    def project(decision: Decision) -> dict[str, Any] | None:
        if decision.project_id not in links:
            return None
        p: Project = decision.project
        return {
            "code": p.code,
            "title": p.title,
            "stage": p.stage,
            "stage_label": p.get_stage_display(),
        }

    def serialize(restitution: Restitution) -> dict[str, Any]:
        consultation = restitution.consultation
        return schemas.RestitutionOut(
            id=restitution.pk,
            consultation={
                "id": consultation.pk,
                "slug": consultation.slug,
                "title": consultation.title,
            },
            synthesis=restitution.synthesis,
            published_at=restitution.published_at,
            decisions=[
                {
                    "id": d.pk,
                    "said": d.said,
                    "done": d.done,
                    "status": d.status,
                    "status_label": d.get_status_display(),
                    "progress": d.progress,
                    "project": project(d),
                    "latest_update": (
                        {
                            "at": latest[d.pk].at,
                            "status": latest[d.pk].status,
                            "progress": latest[d.pk].progress,
                            "text": latest[d.pk].text,
                        }
                        if d.pk in latest
                        else None
                    ),
                }
                for d in restitution.decisions.all()
            ],
            url=reverse("ecoute:restitution", kwargs={"slug": consultation.slug}),
            follow_up_url=reverse("ecoute:follow-up", kwargs={"slug": consultation.slug}),
            updated_at=restitution.updated_at,
        ).model_dump(mode="json")

    return serialize


@router.get(
    "/restitutions/",
    response={200: schemas.RestitutionPage, 400: schemas.ErrorOut},
    url_name="restitutions",
    summary="Restitutions publiées et suivi de leurs décisions",
)
def restitutions(request: HttpRequest) -> HttpResponse:
    """Pagination: `limit`, `cursor`."""
    rows, next_url = paginate(request, _restitutions(request.auth))
    return list_answer(request, rows, next_url, serializer_of_restitutions(rows, request.auth))


@router.get(
    "/restitutions/{int:pk}/",
    response={200: schemas.RestitutionOut, 404: schemas.ErrorOut},
    url_name="restitution",
    summary="Une restitution et le suivi de ses décisions",
)
def restitution(request: HttpRequest, pk: int) -> HttpResponse:
    row = one_or_404(_restitutions(request.auth), pk=pk)
    body = serializer_of_restitutions([row], request.auth)(row)
    return json_answer(request, body, rows=[row])
