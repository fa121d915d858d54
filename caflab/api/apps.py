from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "caflab.api"
    label = "api"
    verbose_name = _("API de lecture")

    def ready(self) -> None:
        from caflab.api import panels, personal_data

        personal_data.register()
        panels.register()
