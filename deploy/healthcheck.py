"""The web container's health check (docker-compose.yml): GET /healthz on gunicorn, as the
proxy would send it, so ALLOWED_HOSTS and the HTTPS redirect (SECURE=1) let it through.
Exit 0 when it answers 200. Standard library only: it runs often, and must not boot Django."""

import os
import sys
import urllib.error
import urllib.request
from urllib.parse import urlsplit

BIND = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").replace("0.0.0.0", "127.0.0.1")  # noqa: S104
SITE = urlsplit(os.environ.get("SITE_URL", "http://127.0.0.1:8000"))


def main() -> int:
    request = urllib.request.Request(
        f"http://{BIND}/healthz",
        headers={"Host": SITE.netloc, "X-Forwarded-Proto": SITE.scheme or "http"},
    )
    try:
        with urllib.request.urlopen(request, timeout=4) as response:  # noqa: S310 (our URL)
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError) as exc:
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
