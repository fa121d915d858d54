"""The analysis app's flows, by subject: the analysis and its texts (texts.py), the codebook
(codebook.py), coding (coding.py) and suggested themes (themes.py)."""

from analysis.services.codebook import code_create, code_delete, code_update, codebook_copy
from analysis.services.coding import (
    code_apply,
    code_remove,
    codes_apply_bulk,
    suggestions_confirm,
    suggestions_dismiss,
)
from analysis.services.texts import analysis_create, duplicates_group, texts_build, texts_request
from analysis.services.themes import (
    theme_accept,
    theme_discard,
    theme_merge,
    theme_rename,
    themes_request,
    themes_suggest,
)

__all__ = [
    "analysis_create",
    "code_apply",
    "code_create",
    "code_delete",
    "code_remove",
    "code_update",
    "codebook_copy",
    "codes_apply_bulk",
    "duplicates_group",
    "suggestions_confirm",
    "suggestions_dismiss",
    "texts_build",
    "texts_request",
    "theme_accept",
    "theme_discard",
    "theme_merge",
    "theme_rename",
    "themes_request",
    "themes_suggest",
]
