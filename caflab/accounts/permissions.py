"""Shared predicates, built with django-rules, that every app's permissions.py combines.

The pattern, deny by default:
- a predicate answers one question about a user (and optionally an object);
- an app composes them into `can_<verb>` rules and registers each as a permission, so views,
  templates (`{% has_perm %}`) and the admin ask the same question;
- a QuerySet scope (`visible_to(user)`) hides what the user may not see, so it answers 404.
"""

import rules

from caflab.accounts.models import Role


@rules.predicate
def is_lab_staff(user) -> bool:
    return bool(user.is_authenticated and user.is_lab_staff)


@rules.predicate
def is_correspondent(user) -> bool:
    return bool(user.is_authenticated and user.is_correspondent)


@rules.predicate
def is_network_member(user) -> bool:
    return bool(user.is_authenticated and user.is_network_member)


@rules.predicate
def is_moderator(user) -> bool:
    return bool(user.is_authenticated and user.is_moderator)


@rules.predicate
def is_directorate_member(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == Role.DIRECTORATE)


@rules.predicate
def is_citizen(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == Role.CITIZEN)


@rules.predicate
def is_partner(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == Role.PARTNER)


@rules.predicate
def belongs_to_caf(user, caf) -> bool:
    """The user works for this Caf (agent or correspondent)."""
    return bool(user.is_authenticated and user.is_active and caf and user.caf_id == caf.pk)


@rules.predicate
def is_correspondent_of(user, caf) -> bool:
    return bool(is_correspondent(user) and belongs_to_caf(user, caf))


@rules.predicate
def can_assign_pending(user) -> bool:
    """Places a pending account in a Caf: the lab's administrators (any Caf) and the
    correspondents (their own Caf)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_lab_staff or user.role in (Role.ADMIN, Role.CORRESPONDENT))
    )
