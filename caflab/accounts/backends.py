"""The password backend: Django's, except that network members may not use a password when
single sign-on is required for them (SSO_ONLY_FOR_NETWORK with the agents' provider set)."""

from django.contrib.auth.backends import ModelBackend

from caflab.accounts.models import NETWORK_ROLES, Role


def password_refused(user) -> bool:
    """Whether `user` must sign in through the agents' identity provider instead."""
    from caflab.accounts import sso

    return sso.sso_only_for_network() and user.role in (*NETWORK_ROLES, Role.PENDING)


class PasswordBackend(ModelBackend):
    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and not password_refused(user)


class SsoBackend(ModelBackend):
    """Marks sessions opened by an identity provider (caflab.accounts.sso found the account):
    it never authenticates a password, and keeps those sessions valid under SSO-only."""

    def authenticate(self, request, **credentials):
        return None
