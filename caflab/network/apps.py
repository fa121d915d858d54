from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "caflab.network"
    label = "network"
    verbose_name = _("Réseau et référentiels")

    def ready(self) -> None:
        # Register the rules (network.view_directory, network.view_caf_dashboard) at start-up:
        # rules' autodiscovery only looks for `rules.py` modules.
        from caflab.network import directory, permissions  # noqa: F401

        directory.connect()
