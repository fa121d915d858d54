from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NationalConfig(AppConfig):
    name = "caflab.national"
    label = "national"
    verbose_name = _("Jeu national et bancs de mesure")
