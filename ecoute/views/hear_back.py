"""Stopping the e-mails to an address left to hear back: the link in each e-mail, no account
needed. GET shows what it does and one button; POST (the button, or a mail client's one-click
of RFC 8058, which sends no CSRF token: the signed link is the proof) deletes the address."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from ecoute.services.hear_back import hear_back_for_token, hear_back_stop


@never_cache
@csrf_exempt
@require_http_methods(["GET", "POST"])
def stop(request: HttpRequest, token: str) -> HttpResponse:
    valid, hear_back = hear_back_for_token(token)
    if not valid:
        return render(request, "ecoute/hear_back_stop.html", {"state": "invalid"}, status=404)
    if hear_back is None:  # stopped already
        return render(request, "ecoute/hear_back_stop.html", {"state": "done"})
    if request.method == "POST":
        title = hear_back.questionnaire.title
        hear_back_stop(hear_back=hear_back)
        return render(request, "ecoute/hear_back_stop.html", {"state": "stopped", "title": title})
    return render(
        request,
        "ecoute/hear_back_stop.html",
        {"state": "ask", "title": hear_back.questionnaire.title, "email": hear_back.email},
    )
