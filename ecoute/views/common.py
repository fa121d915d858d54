"""Lookups every écoute view shares: visible (else 404), then allowed (else 403)."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from ecoute import permissions  # noqa: F401  (registers the app's rules)
from ecoute.models import Consultation, Question, Section


def consultation_for(
    request: HttpRequest,
    *,
    perm: str | None = None,
    queryset: QuerySet[Consultation] | None = None,
    **lookup: Any,
) -> Consultation:
    """The consultation if the user sees it (else 404) and may do `perm` on it (else 403)."""
    queryset = Consultation.objects.all() if queryset is None else queryset
    consultation = get_object_or_404(queryset.visible_to(request.user), **lookup)
    if perm and not request.user.has_perm(perm, consultation):
        raise PermissionDenied
    return consultation


def managed_consultation(request: HttpRequest, pk: int) -> Consultation:
    return consultation_for(
        request,
        perm="ecoute.manage_consultation",
        queryset=Consultation.objects.select_related("questionnaire", "caf", "owner"),
        pk=pk,
    )


def managed_section(request: HttpRequest, pk: int) -> Section:
    section = get_object_or_404(
        Section.objects.select_related("questionnaire__consultation"),
        pk=pk,
        questionnaire__consultation__isnull=False,
    )
    managed_consultation(request, section.questionnaire.consultation.pk)
    return section


def managed_question(request: HttpRequest, pk: int) -> Question:
    question = get_object_or_404(
        Question.objects.select_related("section", "questionnaire__consultation"),
        pk=pk,
        questionnaire__consultation__isnull=False,
    )
    managed_consultation(request, question.questionnaire.consultation.pk)
    return question
