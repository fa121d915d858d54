"""Project codes in URLs, and a sample code to reverse a URL once for a page of rows."""

from django.urls import reverse

# A code the URL converter accepts, replaced in a reversed URL by each row's own: one
# reverse() for a page of rows instead of one per row.
SAMPLE_CODE = "INNO-0000-000"
SAMPLE_PK = 987654321


def code_url(name: str) -> str:
    """The URL `name` with SAMPLE_CODE as the project code; callers replace it per row."""
    return reverse(name, kwargs={"code": SAMPLE_CODE})


class ProjectCodeConverter:
    """Project codes in URLs (INNO-2026-012), so they never shadow fixed paths like carte/."""

    regex = r"INNO-[0-9]{4}-[0-9]{3,}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
