from django.urls import path, register_converter

from kits import views
from projects.converters import ProjectCodeConverter

# Its own name: "code" is the portfolio's, registered by projects.urls.
register_converter(ProjectCodeConverter, "projectcode")

app_name = "kits"

urlpatterns = [
    # documents of a project or an initiative, their versions
    path(
        "projets/<projectcode:code>/documents/ajouter/",
        views.DocumentAddView.as_view(),
        name="project-document-add",
    ),
    path(
        "initiatives/<int:pk>/documents/ajouter/",
        views.DocumentAddView.as_view(),
        name="initiative-document-add",
    ),
    path("documents/<int:pk>/", views.document_detail, name="document"),
    path("documents/<int:pk>/nouvelle-version/", views.version_add, name="version-add"),
    path("versions/<int:pk>/telecharger/", views.version_download, name="version"),
    # the stage kits: templates to download, checklist items ticked by a project's team
    path("modeles/<int:pk>/telecharger/", views.template_download, name="template"),
    path(
        "projets/<projectcode:code>/livrables/<int:pk>/cocher/",
        views.deliverable_check,
        name="deliverable-check",
    ),
    # the fiche d'essaimage of a project, of a promoted initiative
    path("projets/<projectcode:code>/fiche-essaimage/", views.guide_detail, name="project-guide"),
    path(
        "projets/<projectcode:code>/fiche-essaimage/modifier/",
        views.GuideUpdateView.as_view(),
        name="project-guide-update",
    ),
    path(
        "projets/<projectcode:code>/fiche-essaimage.pdf", views.guide_pdf, name="project-guide-pdf"
    ),
    path("initiatives/<int:pk>/fiche-essaimage/", views.guide_detail, name="initiative-guide"),
    path(
        "initiatives/<int:pk>/fiche-essaimage/modifier/",
        views.GuideUpdateView.as_view(),
        name="initiative-guide-update",
    ),
    path("initiatives/<int:pk>/fiche-essaimage.pdf", views.guide_pdf, name="initiative-guide-pdf"),
]
