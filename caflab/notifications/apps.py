from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "caflab.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from caflab.notifications import personal_data

        personal_data.register()
