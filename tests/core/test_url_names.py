"""Every route has a name of its own: two patterns under one name make `reverse()` pick one by
its arguments, so a page meant for the other silently links elsewhere (found when a second
"ecoute:answer" was added)."""

from collections import Counter

from django.urls import URLPattern, URLResolver, get_resolver


def _names(patterns, namespace: str = "") -> list[str]:
    names = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names += _names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.append(f"{namespace}{pattern.name}")
    return names


def test_no_two_routes_share_a_name():
    counts = Counter(_names(get_resolver().url_patterns))
    assert not {name: n for name, n in counts.items() if n > 1}
