"""Response headers Django 5.2 has no setting for."""

from collections.abc import Callable

from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

# No page of ours uses these; a script injected despite the CSP could not either.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=()"


class PrivacyHeadersMiddleware:
    """`Permissions-Policy` on every response; `Cache-Control: private, no-store` on what
    belongs to one person (any response to a signed-in user, every download or export), so no
    shared cache or browser history keeps it. Anonymous public pages stay cacheable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if is_download(response) or is_signed_in(request):
            # Merged with what the view set (never_cache's no-cache, max-age=0…); a `public`
            # directive is dropped by patch_cache_control when `private` is added.
            patch_cache_control(response, private=True, no_store=True)
        return response


def is_download(response: HttpResponse) -> bool:
    return isinstance(response, FileResponse) or response.get(
        "Content-Disposition", ""
    ).lower().startswith("attachment")


def is_signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)
