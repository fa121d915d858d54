"""Login-protection glue: what django-axes may write to the logs."""

import hashlib

from django.http import HttpRequest


def axes_client_str(
    username: str, ip_address: str, user_agent: str, path_info: str, request: HttpRequest
) -> str:
    """A log label for a login client with no personal data: the e-mail and IP are hashed, so
    repeated attempts can still be correlated in the logs without revealing who or where."""
    digest = hashlib.sha256(f"{username}|{ip_address}".encode()).hexdigest()[:12]
    return f"client:{digest} path:{path_info}"
