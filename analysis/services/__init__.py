"""The analysis app's flows, by subject: the analysis and its texts (texts.py), the codebook
(codebook.py), coding (coding.py), suggested themes (themes.py) and exports built in the
background (exports.py)."""

from analysis.services.codebook import (
    code_create,
    code_delete,
    code_update,
    codebook_copy,
    codebook_copy_from_library,
    library_publish,
)
from analysis.services.coding import (
    code_apply,
    code_remove,
    codes_apply_bulk,
    suggestions_confirm,
    suggestions_dismiss,
)
from analysis.services.exports import (
    export_build,
    export_request,
    export_retry,
    exports_purge,
    exports_requeue_stale,
)
from analysis.services.texts import (
    analysis_create,
    analysis_create_for,
    duplicates_group,
    texts_build,
    texts_request,
)
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
    "analysis_create_for",
    "code_apply",
    "code_create",
    "code_delete",
    "code_remove",
    "code_update",
    "codebook_copy",
    "codebook_copy_from_library",
    "codes_apply_bulk",
    "duplicates_group",
    "export_build",
    "export_request",
    "export_retry",
    "exports_purge",
    "exports_requeue_stale",
    "library_publish",
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
