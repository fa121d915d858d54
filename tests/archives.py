"""Zip archives for upload tests, byte-for-byte reproducible.

A member's timestamp is fixed so that building the same archive twice gives
the same bytes, whatever second the clock shows.
"""

import io
import zipfile

FIXED_TIME = (2026, 1, 1, 0, 0, 0)


def zip_of(*members: tuple[str, str], compression: int = zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = compression
            archive.writestr(info, text)
    return buffer.getvalue()
