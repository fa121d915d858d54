"""Creativity-session forms: a directorate's request, its moves by the lab, the session itself
(with its debrief document, checked on upload) and the ideas it produced, entered in bulk."""

import datetime
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caflab.accounts.models import Role, User
from caflab.core.forms import DateInput
from caflab.core.uploads import Kind, check_upload, pick_kinds
from caflab.network.models import Caf
from ideas.forms.challenges import UserEmailField, UserEmailsField, network_members
from ideas.models import CreativitySession, SessionRequest

RequestStatus = SessionRequest.Status


def _radio_choices(field: forms.Field) -> None:
    field.choices = [c for c in field.choices if c[0] != ""]  # no "empty" radio


# --- the debrief document ------------------------------------------------------------------

MAX_DEBRIEF_BYTES = 20 * 1024 * 1024  # 20 Mo
DEBRIEF_KINDS = pick_kinds("pdf", "docx", "odt", "pptx")


def check_debrief_upload(upload: UploadedFile) -> Kind:
    """The document's kind if acceptable; otherwise a French ValidationError saying why."""
    return check_upload(upload, DEBRIEF_KINDS, max_bytes=MAX_DEBRIEF_BYTES)


# --- requests ------------------------------------------------------------------------------


class SessionRequestForm(forms.ModelForm):
    class Meta:
        model = SessionRequest
        fields = [
            "kind",
            "title",
            "problem",
            "desired_from",
            "desired_until",
            "expected_participants",
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "problem": forms.Textarea(attrs={"rows": 5}),
            "desired_from": DateInput(),
            "desired_until": DateInput(),
        }
        help_texts = {
            "problem": _("La situation à améliorer, pour qui, et ce que vous attendez du CafLab."),
            "expected_participants": _(
                "Par exemple : 12 agents d’accueil, 4 allocataires, 2 partenaires."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _radio_choices(self.fields["kind"])
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Envoyer la demande")))

    def clean_desired_from(self) -> datetime.date | None:
        desired_from = self.cleaned_data["desired_from"]
        if desired_from is not None and desired_from < timezone.localdate():
            raise forms.ValidationError(_("La date ne peut pas être passée."))
        return desired_from

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("desired_from"), data.get("desired_until")
        if start and end and end < start:
            self.add_error("desired_until", _("Cette date doit suivre la date de début souhaitée."))
        return data


class RequestMoveForm(forms.Form):
    """The lab moves a request along; a decline needs its reason (a database constraint too)."""

    status = forms.ChoiceField(
        label=_("Nouveau statut"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez le nouveau statut.")},
    )
    note = forms.CharField(
        label=_("Commentaire"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Facultatif : envoyé au demandeur avec le changement."),
    )
    reason = forms.CharField(
        label=_("Motif du refus"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Obligatoire pour décliner la demande : il est envoyé au demandeur."),
    )

    def __init__(self, *args: Any, choices: list[str], action: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(value, RequestStatus(value).label) for value in choices]
        # The template writes the <form> tag: crispy would copy a helper's action and id onto
        # the radio group, duplicating the id.
        self.action = action
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("submit", _("Changer le statut")))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("status") == RequestStatus.DECLINED and not data.get("reason", "").strip():
            self.add_error("reason", _("Un refus doit être motivé."))
        return data


# --- sessions ------------------------------------------------------------------------------

SESSION_FIELDSETS = (
    (_("La séance"), ("request", "title", "method", "held_on", "is_held")),
    (_("Lieu"), ("caf", "place", "video_link")),
    (
        _("Participants"),
        ("facilitators", "participants_agents", "participants_citizens", "participants_partners"),
    ),
    (_("Supports et restitution"), ("materials", "debrief", "debrief_file")),
)
FACILITATOR_ROLES = (Role.LAB_STAFF, Role.CORRESPONDENT, Role.AGENT, Role.DIRECTORATE)


class RequestChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: SessionRequest) -> str:
        return f"{obj.title} – {obj.directorate.acronym} ({obj.get_status_display()})"


class SessionForm(forms.ModelForm):
    facilitators = UserEmailsField(
        label=_("Animateurs"),
        help_text=_("Adresses e-mail, une par ligne : l’équipe du CafLab ou du réseau."),
    )

    class Meta:
        model = CreativitySession
        fields = [
            "request",
            "title",
            "method",
            "held_on",
            "is_held",
            "caf",
            "place",
            "video_link",
            "participants_agents",
            "participants_citizens",
            "participants_partners",
            "materials",
            "debrief",
            "debrief_file",
        ]
        widgets = {
            "held_on": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "materials": forms.Textarea(attrs={"rows": 3}),
            "debrief": forms.Textarea(attrs={"rows": 6}),
            # No "currently: <link>": the document is served only by the download view.
            "debrief_file": forms.FileInput,
        }
        field_classes = {"request": RequestChoiceField}
        help_texts = {
            "request": _("Facultatif : la demande d’une direction à laquelle la séance répond."),
            "debrief_file": _("PDF, DOCX, ODT ou PPTX, 20 Mo au plus."),
            "is_held": _("Cochez une fois la séance passée : sa demande passe à « tenue »."),
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request_id = self.instance.request_id
        requests = SessionRequest.objects.select_related("directorate").order_by("-created_at")
        if user.is_lab_staff:
            self.fields["request"].queryset = requests.filter(
                ~Q(status=RequestStatus.DECLINED) | Q(pk=request_id)
            )
        else:
            # A facilitator outside the lab neither sees nor changes the directorates' requests.
            self.fields["request"].queryset = requests.filter(pk=request_id)
            self.fields["request"].disabled = True
        self.fields["caf"].queryset = Caf.objects.all()
        self.fields["facilitators"].queryset = User.objects.active().filter(
            role__in=FACILITATOR_ROLES
        )
        for name in ("participants_agents", "participants_citizens", "participants_partners"):
            self.fields[name].widget.attrs["min"] = 0
        if self.instance.pk:
            self.initial.setdefault(
                "facilitators",
                list(self.instance.facilitators.order_by("last_name", "first_name", "email")),
            )
        self.helper = FormHelper()
        self.helper.layout = Layout(
            *(Fieldset(legend, *names) for legend, names in SESSION_FIELDSETS)
        )
        self.helper.add_input(
            Submit("submit", _("Enregistrer") if self.instance.pk else _("Programmer la séance"))
        )

    def clean_debrief_file(self) -> Any:
        upload = self.cleaned_data.get("debrief_file")
        # Stored under a random name (the field's `upload_to`), never the uploader's; it is
        # offered back as "restitution-<session>.<ext>" by the download view.
        if isinstance(upload, UploadedFile):
            check_debrief_upload(upload)
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        missing = not (data.get("place") or "").strip() and not data.get("video_link")
        if missing and "place" not in self.errors and "video_link" not in self.errors:
            self.add_error("place", _("Indiquez un lieu ou un lien de visioconférence."))
        return data


# --- ideas from a session ------------------------------------------------------------------

DEFAULT_IDEA_ROWS = 5
MAX_IDEA_ROWS = 30


class SessionIdeaForm(forms.Form):
    """One idea produced by the session. An untouched row is skipped."""

    title = forms.CharField(label=_("Titre de l’idée"), max_length=200)
    problem = forms.CharField(
        label=_("Problème constaté"), widget=forms.Textarea(attrs={"rows": 2})
    )
    author = UserEmailField(
        label=_("Autrice ou auteur"),
        required=True,
        help_text=_("Par défaut l’animateur ; l’adresse d’un agent pour lui attribuer l’idée."),
    )

    def __init__(self, *args: Any, default_author: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["author"].queryset = network_members()
        # The default author is the field's initial value, so a row left untouched compares
        # unchanged and is skipped.
        self.fields["author"].initial = default_author
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class BaseSessionIdeaFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        if not self.rows():
            raise forms.ValidationError(_("Saisissez au moins une idée."))

    def rows(self) -> list[dict[str, Any]]:
        return [f.cleaned_data for f in self.forms if f.has_changed() and f.cleaned_data]


SessionIdeaFormSet = forms.formset_factory(
    SessionIdeaForm,
    formset=BaseSessionIdeaFormSet,
    extra=DEFAULT_IDEA_ROWS,
    max_num=MAX_IDEA_ROWS,
    absolute_max=MAX_IDEA_ROWS,
    validate_max=True,
)


def session_idea_formset(
    *args: Any, default_author: str, rows: int = DEFAULT_IDEA_ROWS, **kwargs: Any
) -> BaseSessionIdeaFormSet:
    formset = SessionIdeaFormSet(
        *args, prefix="idees", form_kwargs={"default_author": default_author}, **kwargs
    )
    formset.extra = max(1, min(rows, MAX_IDEA_ROWS))
    return formset
