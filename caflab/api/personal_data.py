"""The API's section of "my data" (caflab.accounts.personal_data): one's access tokens (never
their secret, which is not kept). Erased with the account."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caflab.accounts import personal_data
from caflab.api.models import AccessToken


def export_tokens(user) -> list[dict]:
    return [
        {
            _("Nom"): token.name,
            _("Début du jeton"): token.display_prefix,
            _("Portée"): token.get_scope_display(),
            _("Créé le"): token.created_at,
            _("Expire le"): token.expires_at,
            _("Dernière utilisation"): token.last_used_at,
            _("Révoqué le"): token.revoked_at,
        }
        for token in AccessToken.objects.of(user).order_by("-created_at", "-pk")
    ]


def erase(user) -> None:
    AccessToken.objects.of(user).delete()
    # Tokens this person revoked (an administrator) keep their row, without the name.
    AccessToken.objects.filter(revoked_by=user).update(revoked_by=None)


def register() -> None:
    personal_data.register(
        "api.tokens",
        gettext_lazy("Vos jetons d’accès à l’API"),
        export=export_tokens,
        erase=erase,
        order=85,
        covers=[("api.AccessToken", "user"), ("api.AccessToken", "revoked_by")],
    )
