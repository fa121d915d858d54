from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from caflab.api.v1 import api as api_v1

admin.site.site_header = _("Administration de CafLab")
admin.site.site_title = _("CafLab")
admin.site.index_title = _("Référentiels, comptes et contenus")

urlpatterns = [
    path("", include("caflab.core.urls")),
    path("comptes/", include("caflab.accounts.urls")),
    path("notifications/", include("caflab.notifications.urls")),
    path("reseau/", include("caflab.network.urls")),
    path("projets/", include("ideas.urls")),
    path("projets/", include("projects.urls")),
    path("criees/", include("criees.urls")),
    path("ecoute/", include("ecoute.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("analyse/", include("analysis.urls")),
    path("evenements/", include("events.urls")),
    path("kits/", include("kits.urls")),
    path("incubateur/", include("incubator.urls")),
    path("recherche/", include("caflab.search.urls")),
    path("moderation/", include("caflab.engagement.urls")),
    path("api/", include("caflab.api.urls")),
    path("api/v1/", api_v1.urls),
    path("donnees-ouvertes/", include("caflab.opendata.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "caflab.core.views.permission_denied"
handler404 = "caflab.core.views.page_not_found"
handler500 = "caflab.core.views.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
