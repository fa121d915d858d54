"""Pages of the network's accounts at scale: the administrators' import of a people file, and the
invitation link through which an imported person chooses a password."""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from caflab.accounts.forms import SetPasswordForm
from caflab.accounts.importing import (
    EXTENSIONS,
    MAX_UPLOAD_BYTES,
    ImportFileError,
    can_import_people,
    people_import_file,
)
from caflab.accounts.invitations import (
    agents_sso_configured,
    invitation_batch_retry,
    invitation_user,
)
from caflab.accounts.models import InvitationBatch

# The report lists this many lines at most, refused lines first; the counts cover them all.
REPORT_LINES_SHOWN = 500
# The import page shows the latest invitation batches (their progress, "Relancer" if failed).
BATCHES_SHOWN = 5


class PeopleImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Fichier des personnes (CSV ou XLSX, 10 Mo au plus)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Simulation : montrer ce qui changerait, sans rien enregistrer"),
        required=False,
        initial=True,
    )
    full = forms.BooleanField(
        label=gettext_lazy(
            "Désactiver les absents : les membres du réseau que le fichier ne liste pas"
        ),
        required=False,
        help_text=gettext_lazy(
            "Les comptes désactivés ne sont jamais supprimés : leurs contributions restent."
        ),
    )
    confirm_full = forms.BooleanField(
        label=gettext_lazy("Je confirme la désactivation des comptes absents du fichier"),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("submit", _("Importer")))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = upload.name or ""
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if extension not in EXTENSIONS:
            raise forms.ValidationError(
                _("Ce type de fichier n’est pas accepté. Formats acceptés : %(formats)s.")
                % {"formats": ", ".join(EXTENSIONS)}
            )
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("Le fichier dépasse la taille maximale de %(size)s Mo.")
                % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        if not upload.size:
            raise forms.ValidationError(_("Le fichier est vide."))
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("full") and not data.get("dry_run") and not data.get("confirm_full"):
            self.add_error(
                "confirm_full",
                _(
                    "Cochez cette case pour confirmer la désactivation des absents, ou lancez "
                    "d’abord une simulation pour voir combien de comptes seraient désactivés."
                ),
            )
        return data


def _importer_only(request: HttpRequest) -> HttpResponse | None:
    """The login page for the anonymous; 403 for whoever may not import (PermissionDenied)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not can_import_people(request.user):
        raise PermissionDenied
    return None


@never_cache
def people_import_view(request: HttpRequest) -> HttpResponse:
    if refused := _importer_only(request):
        return refused
    report = None
    if request.method == "POST":
        form = PeopleImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = people_import_file(
                    data=upload.read(),
                    filename=upload.name,
                    by=request.user,
                    dry_run=form.cleaned_data["dry_run"],
                    full=form.cleaned_data["full"],
                )
            except ImportFileError as error:
                form.add_error("file", str(error))
    else:
        form = PeopleImportForm()
    context = {
        "form": form,
        "report": report,
        "lines": report.lines_for_display(REPORT_LINES_SHOWN) if report else [],
        "lines_cap": REPORT_LINES_SHOWN,
        "batches": InvitationBatch.objects.select_related("requested_by")[:BATCHES_SHOWN],
    }
    return render(request, "accounts/import.html", context)


@never_cache
def invitation_batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An invitation batch's progress (polled by htmx while it runs)."""
    if refused := _importer_only(request):
        return refused
    batch = get_object_or_404(InvitationBatch, pk=pk)
    template = "accounts/includes/invitation_batch.html" if request.htmx else None
    return render(request, template or "accounts/invitation_batch_detail.html", {"batch": batch})


@require_POST
def invitation_batch_retry_view(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Relancer" a failed batch: a fresh one for the people it did not reach."""
    if refused := _importer_only(request):
        return refused
    batch = get_object_or_404(InvitationBatch, pk=pk)
    followed = invitation_batch_retry(batch=batch, by=request.user)
    if followed.pk == batch.pk:
        messages.info(request, _("Cet envoi n’a pas échoué : il n’y a rien à relancer."))
    else:
        messages.success(
            request,
            _("L’envoi est relancé pour les %(n)s personne(s) qui n’avaient pas été invitées.")
            % {"n": followed.total},
        )
    return redirect("accounts:invitation-batch", pk=followed.pk)


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
def invitation_view(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Choose a password from an invitation link; then the person is signed in."""
    user = invitation_user(uidb64, token)
    sso = agents_sso_configured()
    if user is None:
        context = {"sso": sso, "contact": settings.CAFLAB_CONTACT_EMAIL}
        return render(request, "accounts/invitation_invalid.html", context)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        # Through the configured backends (lockout, SSO-only rules), as a login form would.
        signed_in = authenticate(
            request, username=user.email, password=form.cleaned_data["new_password1"]
        )
        if signed_in is None:
            messages.success(request, _("Votre mot de passe est enregistré : connectez-vous."))
            return redirect("accounts:login")
        login(request, signed_in)
        messages.success(request, _("Votre mot de passe est enregistré : bienvenue sur CafLab."))
        return redirect("core:home")
    return render(request, "accounts/invitation.html", {"form": form, "invited": user, "sso": sso})
