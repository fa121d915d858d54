"""Fingerprints for cached page fragments.

A big repeated fragment (the 101 tiles of the Caf map, the kanban's cards) costs more to render
than its queries. The view gives such a fragment plain data only (dicts of strings and
numbers), computes the data's fingerprint here, and the template caches the fragment under it:

    {% cache FRAGMENT_TIMEOUT "caf-map" map.fingerprint %}…{% endcache %}

The key is the content itself, so a fragment can never be served for other data (another
user's, or older), and nothing has to be invalidated: new data is a new key, old keys expire.
Rule for the template: inside the cached block, read only what the fingerprint covers (plus
translations and static URLs, which are the same for everyone in a deployment).
"""

import hashlib
import json
from typing import Any

from django.utils import translation

# Seconds a fragment stays cached: long enough to serve the next visitors of a busy page, short
# enough that stale keys (data that changed since) do not pile up.
FRAGMENT_TIMEOUT = 300


def fingerprint(*parts: Any) -> str:
    """A stable digest of `parts` (JSON-serialisable plain data; dates and lazy strings are
    turned into text) and of the active language, whose translations the fragment prints."""
    payload = json.dumps(
        [translation.get_language(), *parts],
        sort_keys=True,
        default=str,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()
