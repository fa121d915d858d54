"""Forms of the kit: a new document (its first version), a new version, the fiche d'essaimage.
Uploads are checked as everywhere (`kits.services.documents.check_document`), the error on the
field, in French; the form keeps what was typed."""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from kits.models import GUIDE_FIELDS, Document, DocumentKind, ReplicationGuide
from kits.services.documents import DOCUMENT_KINDS, MAX_UPLOAD_BYTES, check_document


def _helper(submit_label: Any, *, action: str = "", prefix: str = "") -> FormHelper:
    helper = FormHelper()
    helper.form_method = "post"
    if action:
        helper.form_action = action
    helper.add_input(Submit("submit", submit_label, css_id=f"envoyer-{prefix}" if prefix else None))
    return helper


class _FileField(forms.FileField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            label=kwargs.pop("label", _("Fichier")),
            help_text=_("Formats : %(formats)s ; %(size)s Mo au plus.")
            % {
                "formats": ", ".join(sorted(DOCUMENT_KINDS)),
                "size": MAX_UPLOAD_BYTES // (1024 * 1024),
            },
            widget=forms.ClearableFileInput(
                attrs={"accept": ",".join(f".{ext}" for ext in sorted(DOCUMENT_KINDS))}
            ),
            error_messages={"required": _("Choisissez le fichier à déposer.")},
            **kwargs,
        )


class _UploadCheck:
    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]  # type: ignore[attr-defined]
        check_document(upload)
        return upload


class DocumentForm(_UploadCheck, forms.Form):
    kind = forms.ChoiceField(
        label=_("Type de document"),
        choices=[("", "---------"), *DocumentKind.choices],
        error_messages={"required": _("Choisissez le type de document.")},
    )
    title = forms.CharField(
        label=_("Titre"),
        max_length=200,
        error_messages={"required": _("Donnez un titre au document.")},
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Facultatif : de quoi s’agit-il, pour qui ?"),
    )
    file = _FileField()

    def __init__(self, *args: Any, action: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Ajouter le document"), action=action, prefix="document")


class VersionForm(_UploadCheck, forms.Form):
    file = _FileField(label=_("Nouvelle version"))
    note = forms.CharField(
        label=_("Ce qui change"),
        required=False,
        max_length=300,
        help_text=_("Facultatif : ce que cette version apporte."),
    )
    prefix = "version"

    def __init__(self, *args: Any, action: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.action = action
        self.helper = _helper(_("Déposer la nouvelle version"), action=action, prefix="version")


class GuideForm(forms.ModelForm):
    documents = forms.ModelMultipleChoiceField(
        label=_("Documents de la fiche"),
        queryset=Document.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Parmi les documents déposés : le guide, les supports, les modèles…"),
    )

    class Meta:
        model = ReplicationGuide
        fields = [*GUIDE_FIELDS, "documents"]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in GUIDE_FIELDS}
        help_texts = {
            "summary": _("L’innovation en deux ou trois phrases, pour une Caf qui la découvre."),
            "prerequisites": _(
                "Ce qu’il faut avoir avant de commencer (outils, données, accords)."
            ),
            "cost": _("Budget, matériel, prestations."),
            "duration": _("Le temps de mise en place et le temps de fonctionnement."),
            "team": _("Les profils et le temps de chacun."),
            "contacts": _("Qui contacter : nom, fonction, e-mail professionnel."),
        }

    def __init__(self, *args: Any, documents: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["documents"].queryset = (
            documents if documents is not None else Document.objects.none()
        )
        self.helper = _helper(_("Enregistrer la fiche"), prefix="fiche")
