"""The read API, version 1 (django-ninja): its routers, who reads (`TokenOrSession`), and its
French errors. Read-only: every operation is a GET; the OpenAPI description is generated from
the same functions and schemas (`/api/v1/openapi.json`), the docs page is ours
(caflab.api.views.docs: the site's layout, no inline script, no CDN)."""

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from caflab.api.http import ApiError, TokenOrSession, error_response
from caflab.api.routes import criees, ecoute, network, portfolio
from caflab.api.services import TokenRefused

DESCRIPTION = """Lecture seule des données de CafLab, dans le périmètre de la personne qui lit :
sans jeton, ce que montre le site public ; avec un jeton d’accès personnel
(`Authorization: Bearer <jeton>`, créé sur votre profil), exactement ce que vous voyez sur le
site. Listes paginées par curseur (`next`), filtres de la liste du site, `ETag` et
`Last-Modified` (réponse 304 sur `If-None-Match` / `If-Modified-Since`)."""

api = NinjaAPI(
    title="API CafLab",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=TokenOrSession(),
    docs_url=None,  # our own page: caflab.api.views.docs
    openapi_url="/openapi.json",
)
api.add_router("", portfolio.router)
api.add_router("", criees.router)
api.add_router("", ecoute.router)
api.add_router("", network.router)


@api.exception_handler(ApiError)
def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return error_response(exc.status, exc.message, exc.headers)


@api.exception_handler(TokenRefused)
def token_refused(request: HttpRequest, exc: TokenRefused) -> HttpResponse:
    return error_response(401, str(exc), {"WWW-Authenticate": 'Bearer realm="caflab"'})


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(401, _("Authentification requise."))


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return error_response(400, _("Paramètres invalides."))


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error_response(exc.status_code, str(exc))
