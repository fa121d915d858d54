"""The directory's table is the same for everyone who may open the same dashboards: its rendered
HTML is cached (template fragment cache) per region filter and per "dashboard scope", under a
version that any change to a Caf or a region bumps, so an edit shows at once."""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

from caflab.accounts.permissions import is_correspondent, is_lab_staff

VERSION_KEY = "network:directory:version"


def version() -> int:
    return cache.get_or_set(VERSION_KEY, 1, timeout=None) or 1


def bump(**_kwargs) -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not set yet (or evicted): any new value invalidates
        cache.set(VERSION_KEY, 2, timeout=None)


def dashboard_scope(user) -> str:
    """Which dashboards the table links to: all (the lab), the user's Caf, or none."""
    if is_lab_staff(user):
        return "all"
    if is_correspondent(user) and user.caf_id:
        return f"caf-{user.caf_id}"
    return "none"


def connect() -> None:
    from caflab.network.models import Caf, Region

    for model in (Caf, Region):
        post_save.connect(bump, sender=model, dispatch_uid=f"directory-{model.__name__}-save")
        post_delete.connect(bump, sender=model, dispatch_uid=f"directory-{model.__name__}-delete")
