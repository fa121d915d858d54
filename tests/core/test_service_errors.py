"""Services refuse with a domain error (`InvalidState`, `AlreadyDone`, `NotAllowedNow`…), never a
bare `ValidationError`: read from the source, so a later `raise ValidationError(...)` in one of
these modules fails here instead of slipping through to the middleware's stopgap."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

# The service modules moved to the domain errors. Forms, model clean(), field validators
# (caflab/accounts/people.py, caflab/core/typeahead.py) and upload checks keep ValidationError.
SERVICE_MODULES = [
    "criees/services/criees.py",
    "criees/services/initiatives.py",
    "criees/services/interest.py",
    "ecoute/services/answering.py",
    "ecoute/services/batches.py",
    "ecoute/services/builder.py",
    "ecoute/services/communities.py",
    "ecoute/services/consultations.py",
    "ecoute/services/contributions.py",
    "ecoute/services/recruitment.py",
    "ecoute/services/restitution.py",
    "evaluation/services/effects.py",
    "evaluation/services/judgements.py",
    "evaluation/services/participation.py",
    "projects/scoring.py",
    "ideas/services/challenges.py",
    "projects/services/deployments.py",
    "projects/services/gates.py",
    "ideas/services/ideas.py",
    "projects/services/projects.py",
    "ideas/services/sessions.py",
]


def _is_validation_error(node: ast.expr) -> bool:
    """`ValidationError`, `exceptions.ValidationError`, `forms.ValidationError`…"""
    if isinstance(node, ast.Name):
        return node.id == "ValidationError"
    return isinstance(node, ast.Attribute) and node.attr == "ValidationError"


def bare_validation_errors(source: str) -> list[int]:
    """Lines that build or raise a ValidationError: `raise ValidationError(...)`, `raise
    ValidationError`, or a helper returning `ValidationError(...)` for a caller to raise."""
    lines = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            built = node.func
        elif isinstance(node, ast.Raise) and node.exc is not None:
            built = node.exc  # a class raised without a call
        else:
            continue
        if _is_validation_error(built):
            lines.add(node.lineno)
    return sorted(lines)


@pytest.mark.parametrize("module", SERVICE_MODULES)
def test_the_service_refuses_with_a_domain_error_not_a_bare_validation_error(module):
    source = (Path(settings.BASE_DIR) / module).read_text(encoding="utf-8")
    found = bare_validation_errors(source)
    assert not found, (
        f"{module}, lines {found}: raise InvalidState (or AlreadyDone, NotAllowedNow) from "
        "caflab.core.errors instead of ValidationError"
    )


@pytest.mark.parametrize(
    "source",
    [
        "raise ValidationError('x')",
        "raise ValidationError({'field': 'x'}) from None",
        "raise exceptions.ValidationError('x')",
        "raise ValidationError",
        "def refusal():\n    return ValidationError('x')",
    ],
)
def test_the_scan_sees_every_spelling(source):
    assert bare_validation_errors(source) == [source.count("\n") + 1]


def test_the_scan_lets_domain_errors_and_catching_validation_errors_through():
    source = (
        "try:\n    f()\nexcept ValidationError as error:\n    raise InvalidState(str(error))\n"
        "raise errors.InvalidState({'field': 'x'})\n"
    )
    assert bare_validation_errors(source) == []
