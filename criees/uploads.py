"""What is criées-specific in storing initiatives' files and images: their size limit and their
folder. The rest (kinds, checks, the private storage, cleaning images, safe names, downloads)
is shared, in `caflab.core.uploads`.

Files of an initiative that is not published must never be reachable by a public URL: they are
stored in the private storage and served only by `criees:file` and `criees:image`, which check
that the initiative is visible to the user. An image is stored cleaned of its metadata, full
size (downloaded with `criees:image?original=1`) and as a copy for pages (`criees:image`), both
written by `InitiativeImage.save` (`caflab.core.uploads.clean_image`).
"""

from typing import Any

from caflab.core.uploads import random_filename

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # 10 Mo


def initiative_upload_to(instance: Any, filename: str) -> str:
    """A random name on disk (never the uploader's), in a folder per initiative."""
    return f"criees/{instance.initiative_id}/{random_filename(filename)}"
