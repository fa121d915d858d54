"""Atom and RSS feeds (django.contrib.syndication) for every app: one base, so each feed is
bounded, dated and typed the same way. An app writes its feed once as a `PublicFeed` (RSS
2.0) and gets its Atom twin with `atom(FeedClass)`.

A feed is the same for every reader (feed readers send no cookie): it lists only what an
anonymous visitor may read, at most `LIMIT` items, newest first, read in a fixed number of
queries (the app's `items()` selects what its items show)."""

from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

LIMIT = 50


class PublicFeed(Feed):
    feed_type = Rss201rev2Feed
    language = "fr"
    # Readers poll: a shared cache may keep a feed for ten minutes.
    cache_seconds = 600

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().__call__(request, *args, **kwargs)
        response["Cache-Control"] = f"public, max-age={self.cache_seconds}"
        response["X-Content-Type-Options"] = "nosniff"
        return response


def atom(feed_class: type[PublicFeed]) -> type[PublicFeed]:
    """The Atom twin of an RSS feed (the description becomes Atom's subtitle)."""
    return type(
        f"{feed_class.__name__}Atom",
        (feed_class,),
        {"feed_type": Atom1Feed, "subtitle": feed_class.description},
    )
