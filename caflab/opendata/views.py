"""The open-data page and the stable URLs of its files (anyone, signed in or not).

`/donnees-ouvertes/<slug>.csv` and `.json` always serve the latest file of the dataset, streamed
from storage with its ETag (the file's SHA-256) and Last-Modified (its generation), so a client
that polls gets a 304 until the next night; `<slug>/schema.json` is the Table Schema and
`datapackage.json` the Data Package of the whole set. Before the first generation the files
are 404 and the page says so."""

import hashlib
import json
from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from caflab.opendata.datasets import BY_SLUG, DATASETS, LICENSE
from caflab.opendata.models import DatasetFile
from caflab.opendata.services import datapackage, storage

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json; charset=utf-8"}
# Public data, the same for everyone: caches may keep it an hour (the ETag revalidates it).
CACHE_CONTROL = "public, max-age=3600"


def file_url(slug: str, fmt: str) -> str:
    if fmt == "schema":
        return reverse("opendata:schema", kwargs={"slug": slug})
    return reverse(f"opendata:{fmt}", kwargs={"slug": slug})


class OpenDataView(TemplateView):
    """Each dataset: its description, schema (link and fields), files (size, date, stable URL),
    or that nothing was generated yet. One query whatever the number of datasets."""

    template_name = "opendata/index.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        files = {f.slug: f for f in DatasetFile.objects.all()}
        context["datasets"] = [
            {
                "dataset": dataset,
                "file": files.get(dataset.slug),
                "csv_url": file_url(dataset.slug, "csv"),
                "json_url": file_url(dataset.slug, "json"),
                "schema_url": file_url(dataset.slug, "schema"),
            }
            for dataset in DATASETS
        ]
        context["generated_at"] = max((f.generated_at for f in files.values()), default=None)
        context["license"] = LICENSE
        return context


def _public_headers(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = CACHE_CONTROL
    # Dashboards and notebooks read the files from other origins.
    response["Access-Control-Allow-Origin"] = "*"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _json_response(request: HttpRequest, payload: dict[str, Any]) -> HttpResponse:
    body = json.dumps(payload, ensure_ascii=False, indent=2).encode("utf-8")
    etag = f'"{hashlib.sha256(body).hexdigest()}"'
    response = get_conditional_response(request, etag=etag)
    if response is None:
        response = HttpResponse(body, content_type=CONTENT_TYPES["json"])
    response["ETag"] = etag
    return _public_headers(response)


def dataset_file(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """The latest CSV or JSON of `slug`, streamed from storage."""
    if slug not in BY_SLUG:
        raise Http404
    stored = DatasetFile.objects.filter(slug=slug).first()
    if stored is None:
        raise Http404
    name = stored.csv_name if fmt == "csv" else stored.json_name
    digest = stored.csv_sha256 if fmt == "csv" else stored.json_sha256
    etag = f'"{digest}"'
    last_modified = int(stored.generated_at.timestamp())
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        try:
            handle = storage().open(name, "rb")
        except (FileNotFoundError, ValueError) as missing:
            raise Http404 from missing
        response = FileResponse(
            handle, as_attachment=True, filename=f"{slug}.{fmt}", content_type=CONTENT_TYPES[fmt]
        )
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    return _public_headers(response)


@require_GET
def dataset_csv(request: HttpRequest, slug: str) -> HttpResponse:
    return dataset_file(request, slug, "csv")


@require_GET
def dataset_json(request: HttpRequest, slug: str) -> HttpResponse:
    return dataset_file(request, slug, "json")


@require_GET
def dataset_schema(request: HttpRequest, slug: str) -> HttpResponse:
    """The dataset's Table Schema (it is the code's, not a file: the same for every run)."""
    dataset = BY_SLUG.get(slug)
    if dataset is None:
        raise Http404
    return _json_response(request, dataset.schema())


@require_GET
def datapackage_json(request: HttpRequest) -> HttpResponse:
    files = {f.slug: f for f in DatasetFile.objects.all()}

    def url_for(slug: str, fmt: str) -> str:
        return request.build_absolute_uri(file_url(slug, fmt))

    return _json_response(request, datapackage(files, url_for))
