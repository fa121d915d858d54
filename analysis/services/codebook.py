"""The codebook of an analysis: codes in two levels (theme → sub-theme), each with a
definition, an example, a colour and a keyboard shortcut; copied from a previous analysis or
from the lab's shared library (LibraryCodebook: snapshots the lab publishes)."""

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from analysis.models import Analysis, Code, LibraryCode, LibraryCodebook
from caflab.accounts.models import User
from caflab.core.errors import InvalidState

CODE_FIELDS = ("label", "definition", "example", "colour", "shortcut")


def _check_parent(analysis: Analysis, parent: Code | None, code: Code | None = None) -> None:
    if parent is None:
        return
    if parent.analysis_id != analysis.pk:
        raise InvalidState({"parent": _("Ce thème n’appartient pas à cette analyse.")})
    if parent.parent_id is not None:
        raise InvalidState({"parent": _("Un sous-thème ne peut pas avoir de sous-thème.")})
    if code is not None and (parent.pk == code.pk or code.children.exists()):
        raise InvalidState({"parent": _("Un thème qui a des sous-thèmes reste un thème.")})


def _save(code: Code) -> Code:
    try:
        with transaction.atomic():
            code.save()
    except IntegrityError as exc:
        if "shortcut" in str(exc):
            raise InvalidState(
                {"shortcut": _("Ce raccourci est déjà pris par un autre code.")}
            ) from exc
        raise InvalidState({"label": _("Un code de cette analyse porte déjà ce libellé.")}) from exc
    return code


def code_create(*, analysis: Analysis, parent: Code | None = None, **fields: Any) -> Code:
    """Add a code (a theme, or a sub-theme of `parent`) at the end of the codebook."""
    _check_parent(analysis, parent)
    last = analysis.codes.aggregate(last=Max("position"))["last"] or 0
    values = {name: fields.get(name, "") for name in CODE_FIELDS if name in fields}
    values["shortcut"] = (values.get("shortcut") or "").lower()
    code = Code(analysis=analysis, parent=parent, position=last + 1, **values)
    return _save(code)


def code_update(*, code: Code, parent: Code | None = None, **fields: Any) -> Code:
    _check_parent(code.analysis, parent, code)
    for name in CODE_FIELDS:
        if name in fields:
            setattr(code, name, fields[name])
    code.shortcut = (code.shortcut or "").lower()
    code.parent = parent
    return _save(code)


@transaction.atomic
def code_delete(*, code: Code) -> None:
    """Delete a code and the assignments of it; a theme with sub-themes is refused."""
    if code.children.exists():
        raise InvalidState(_("Supprimez ou déplacez d’abord les sous-thèmes de ce thème."))
    code.delete()


@transaction.atomic
def codebook_copy(*, source: Analysis, target: Analysis) -> int:
    """Copy `source`'s codes into `target`: themes then sub-themes, keeping their order.
    Labels already in `target` are skipped, a shortcut already taken is left empty. Returns
    the number of codes copied."""
    return _copy_codes(list(source.codes.order_by("parent_id", "position", "pk")), target)


@transaction.atomic
def codebook_copy_from_library(*, codebook: LibraryCodebook, target: Analysis) -> int:
    """Copy a library codebook's codes into `target`, as `codebook_copy` does."""
    return _copy_codes(list(codebook.codes.order_by("parent_id", "position", "pk")), target)


def _copy_codes(source_codes: list[Code | LibraryCode], target: Analysis) -> int:
    taken_labels = set(target.codes.values_list("label", flat=True))
    taken_shortcuts = set(target.codes.exclude(shortcut="").values_list("shortcut", flat=True))
    position = target.codes.aggregate(last=Max("position"))["last"] or 0
    copied: dict[int, Code] = {}
    existing = {c.label: c for c in target.codes.filter(parent__isnull=True)}
    themes = [c for c in source_codes if c.parent_id is None]
    children = [c for c in source_codes if c.parent_id is not None]
    n = 0
    for code in themes + children:
        if code.label in taken_labels:
            if code.parent_id is None and code.label in existing:
                copied[code.pk] = existing[code.label]
            continue
        parent = copied.get(code.parent_id) if code.parent_id else None
        if code.parent_id and parent is None:
            continue
        position += 1
        shortcut = code.shortcut if code.shortcut and code.shortcut not in taken_shortcuts else ""
        new = Code.objects.create(
            analysis=target,
            parent=parent,
            label=code.label,
            definition=code.definition,
            example=code.example,
            colour=code.colour,
            shortcut=shortcut,
            position=position,
        )
        taken_labels.add(code.label)
        if shortcut:
            taken_shortcuts.add(shortcut)
        copied[code.pk] = new
        n += 1
    return n


@transaction.atomic
def library_publish(
    *, analysis: Analysis, by: User, title: str, description: str = ""
) -> LibraryCodebook:
    """Put a snapshot of `analysis`'s codebook in the lab's shared library under `title`
    (unique). Later changes to the analysis leave it as published."""
    codes = list(analysis.codes.order_by("parent_id", "position", "pk"))
    if not codes:
        raise InvalidState(_("Cette grille n’a aucun code : il n’y a rien à publier."))
    try:
        with transaction.atomic():
            codebook = LibraryCodebook.objects.create(
                title=title.strip()[:120],
                description=description.strip(),
                source=analysis,
                published_by=by,
                n_codes=len(codes),
            )
    except IntegrityError as exc:
        raise InvalidState(
            {"title": _("Une grille de la bibliothèque porte déjà ce titre.")}
        ) from exc
    snapshots: dict[int, LibraryCode] = {}
    # Themes first, so that each sub-theme finds its theme's snapshot.
    for code in [c for c in codes if c.parent_id is None] + [c for c in codes if c.parent_id]:
        snapshots[code.pk] = LibraryCode.objects.create(
            codebook=codebook,
            parent=snapshots.get(code.parent_id),
            label=code.label,
            definition=code.definition,
            example=code.example,
            colour=code.colour,
            shortcut=code.shortcut,
            position=code.position,
        )
    return codebook
