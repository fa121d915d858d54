class ProjectCodeConverter:
    """Project codes in URLs (INNO-2026-012), so they never shadow fixed paths like carte/."""

    regex = r"INNO-[0-9]{4}-[0-9]{3,}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
