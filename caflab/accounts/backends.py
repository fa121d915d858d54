"""The password backend: Django's, except that network members may not use a password when
single sign-on is required for them (SSO_ONLY_FOR_NETWORK with the agents' provider set).

Both backends load the signed-in user with their Caf (`select_related`): the shell reads
`user.caf` on every page (the menu, "Ma Caf"), which would otherwise cost a query each time."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from caflab.accounts.models import NETWORK_ROLES, Role


def password_refused(user) -> bool:
    """Whether `user` must sign in through the agents' identity provider instead."""
    from caflab.accounts import sso

    return sso.sso_only_for_network() and user.role in (*NETWORK_ROLES, Role.PENDING)


class WithCafBackend(ModelBackend):
    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("caf").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class PasswordBackend(WithCafBackend):
    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and not password_refused(user)


class SsoBackend(WithCafBackend):
    """Marks sessions opened by an identity provider (caflab.accounts.sso found the account):
    it never authenticates a password, and keeps those sessions valid under SSO-only."""

    def authenticate(self, request, **credentials):
        return None
