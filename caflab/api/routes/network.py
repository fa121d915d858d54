"""The network's reference data: the Caf and the programmes (public: names of institutions
and programmes, shown on every public page)."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from caflab.api import schemas
from caflab.api.http import filtered, json_answer, list_answer, one_or_404, paginate
from caflab.network.filters import CafFilter
from caflab.network.models import Caf, Programme

router = Router(tags=["Réseau"])


def serialize_caf(caf: Caf) -> dict[str, Any]:
    return schemas.CafOut(
        code=caf.code,
        name=caf.name,
        department=caf.department,
        region={"code": caf.region.code, "name": caf.region.name} if caf.region else None,
        kind=caf.kind,
        is_overseas=caf.is_overseas,
    ).model_dump(mode="json")


def serialize_programme(programme: Programme) -> dict[str, Any]:
    return schemas.ProgrammeOut(
        slug=programme.slug, name=programme.name, description=programme.description
    ).model_dump(mode="json")


@router.get(
    "/caf/",
    response={200: schemas.CafPage, 400: schemas.ErrorOut},
    url_name="cafs",
    summary="Les Caf du réseau",
)
def cafs(request: HttpRequest) -> HttpResponse:
    """Filter: `region` (code INSEE); pagination: `limit`, `cursor`."""
    queryset = filtered(request, CafFilter, Caf.objects.select_related("region"))
    rows, next_url = paginate(request, queryset)
    return list_answer(request, rows, next_url, serialize_caf)


@router.get(
    "/caf/{code}/",
    response={200: schemas.CafOut, 404: schemas.ErrorOut},
    url_name="caf",
    summary="Une Caf",
)
def caf(request: HttpRequest, code: str) -> HttpResponse:
    row = one_or_404(Caf.objects.select_related("region"), code=code)
    return json_answer(request, serialize_caf(row), rows=[row])


@router.get(
    "/programmes/",
    response={200: schemas.ProgrammePage, 400: schemas.ErrorOut},
    url_name="programmes",
    summary="Les programmes",
)
def programmes(request: HttpRequest) -> HttpResponse:
    rows, next_url = paginate(request, Programme.objects.active())
    return list_answer(request, rows, next_url, serialize_programme)


@router.get(
    "/programmes/{slug}/",
    response={200: schemas.ProgrammeOut, 404: schemas.ErrorOut},
    url_name="programme",
    summary="Un programme",
)
def programme(request: HttpRequest, slug: str) -> HttpResponse:
    row = one_or_404(Programme.objects.active(), slug=slug)
    return json_answer(request, serialize_programme(row), rows=[row])
