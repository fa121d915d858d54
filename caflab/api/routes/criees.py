"""Local initiatives (the catalogue, with the site's filters) and the criées with their
programme. Both are the network's: `visible_to` shows them to its members only (a Caf also
sees its own initiatives at every status, never another Caf's drafts)."""

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router

from caflab.api import schemas
from caflab.api.http import (
    ApiError,
    filtered,
    json_answer,
    list_answer,
    one_or_404,
    paginate,
)
from caflab.api.routes.portfolio import caf_ref, ref
from criees.filters import InitiativeFilter
from criees.models import Criee, Initiative, Pitch

router = Router(tags=["Initiatives et criées"])


def _initiatives(queryset):
    return queryset.select_related("caf").prefetch_related("themes", "publics")


def serialize_initiative(initiative: Initiative) -> dict[str, Any]:
    return schemas.InitiativeOut(
        id=initiative.pk,
        title=initiative.title,
        summary=initiative.summary,
        problem=initiative.problem,
        actions=initiative.actions,
        results=initiative.results,
        status=initiative.status,
        status_label=initiative.get_status_display(),
        caf=caf_ref(initiative.caf),
        themes=[ref(t) for t in initiative.themes.all()],
        publics=[ref(p) for p in initiative.publics.all()],
        published_at=initiative.published_at,
        url=initiative.get_absolute_url(),
        updated_at=initiative.updated_at,
    ).model_dump(mode="json")


@router.get(
    "/initiatives/",
    response={200: schemas.InitiativePage, 400: schemas.ErrorOut},
    url_name="initiatives",
    summary="Initiatives locales (le catalogue)",
)
def initiatives(request: HttpRequest) -> HttpResponse:
    """Filters: those of the catalogue (`q`, `theme`, `public`, `caf`, `region`, `reprise`,
    `statut`; without `statut`, the published ones); pagination: `limit`, `cursor`."""
    queryset = filtered(request, InitiativeFilter, Initiative.objects.visible_to(request.auth))
    rows, next_url = paginate(request, _initiatives(queryset))
    return list_answer(request, rows, next_url, serialize_initiative)


@router.get(
    "/initiatives/{int:pk}/",
    response={200: schemas.InitiativeOut, 404: schemas.ErrorOut},
    url_name="initiative",
    summary="Une initiative",
)
def initiative(request: HttpRequest, pk: int) -> HttpResponse:
    row = one_or_404(_initiatives(Initiative.objects.visible_to(request.auth)), pk=pk)
    return json_answer(request, serialize_initiative(row), rows=[row])


def _criees(queryset, user: Any):
    scheduled = (
        Pitch.objects.scheduled().select_related("initiative__caf").order_by("position", "pk")
    )
    return queryset.prefetch_related("themes", Prefetch("pitches", queryset=scheduled))


def _visible_initiatives(criees: list[Criee], user: Any) -> set[int]:
    """Which of the programmes' initiatives `user` sees (one query for the page)."""
    ids = {pitch.initiative_id for criee in criees for pitch in criee.pitches.all()}
    if not ids:
        return set()
    return set(Initiative.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def serializer_of_criees(visible: set[int]):
    def serialize(criee: Criee) -> dict[str, Any]:
        programme = [
            {
                "position": pitch.position,
                "slot_minutes": pitch.slot_minutes,
                "initiative": (
                    {
                        "id": pitch.initiative_id,
                        "title": pitch.initiative.title,
                        "caf": caf_ref(pitch.initiative.caf),
                    }
                    if pitch.initiative_id in visible
                    else None
                ),
            }
            for pitch in criee.pitches.all()
        ]
        return schemas.CrieeOut(
            id=criee.pk,
            title=criee.title,
            description=criee.description,
            starts_at=criee.starts_at,
            format=criee.format,
            place=criee.place,
            online_url=criee.online_url,
            status=criee.status,
            status_label=criee.get_status_display(),
            themes=[ref(t) for t in criee.themes.all()],
            programme=programme,
            follow_up_summary=criee.follow_up_summary,
            url=criee.get_absolute_url(),
            updated_at=criee.updated_at,
        ).model_dump(mode="json")

    return serialize


@router.get(
    "/criees/",
    response={200: schemas.CrieePage, 400: schemas.ErrorOut},
    url_name="criees",
    summary="Criées et leur programme",
)
def criees(request: HttpRequest) -> HttpResponse:
    """Filter: `status` (planned, open, closed, held, followed_up); pagination: `limit`,
    `cursor`."""
    queryset = Criee.objects.visible_to(request.auth)
    status = request.GET.get("status", "")
    if status:
        if status not in Criee.Status.values:
            raise ApiError(400, _("Valeur inconnue pour « %(p)s ».") % {"p": "status"})
        queryset = queryset.filter(status=status)
    rows, next_url = paginate(request, _criees(queryset, request.auth))
    visible = _visible_initiatives(rows, request.auth)
    return list_answer(request, rows, next_url, serializer_of_criees(visible))


@router.get(
    "/criees/{int:pk}/",
    response={200: schemas.CrieeOut, 404: schemas.ErrorOut},
    url_name="criee",
    summary="Une criée et son programme",
)
def criee(request: HttpRequest, pk: int) -> HttpResponse:
    row = one_or_404(_criees(Criee.objects.visible_to(request.auth), request.auth), pk=pk)
    visible = _visible_initiatives([row], request.auth)
    return json_answer(request, serializer_of_criees(visible)(row), rows=[row])
