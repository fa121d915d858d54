from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from caflab.accounts.models import User


def _helper(submit_label: str) -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("submit", submit_label))
    return helper


class LoginForm(auth_forms.AuthenticationForm):
    """E-mail login. The failure message is the same whether the account exists or not."""

    username = forms.EmailField(
        label=_("Adresse e-mail"),
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": _(
            "Adresse e-mail ou mot de passe incorrect. Vérifiez votre saisie : "
            "après 5 échecs, la connexion est bloquée pendant 15 minutes."
        ),
        "inactive": _("Ce compte est désactivé."),
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("Mot de passe")

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()

    def clean(self):
        from caflab.accounts.backends import password_refused
        from caflab.accounts.sso import provider_settings

        email = self.cleaned_data.get("username")
        user = User.objects.filter(email=email).first() if email else None
        if user is not None and password_refused(user):
            # Said before any password check: the agent's way in is the provider's button.
            raise forms.ValidationError(
                _(
                    "Les agents du réseau se connectent avec %(provider)s : utilisez le bouton "
                    "« Se connecter avec %(provider)s » ci-dessus."
                )
                % {"provider": provider_settings("agents")["label"]},
                code="sso_only",
            )
        return super().clean()


class PasswordResetForm(auth_forms.PasswordResetForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("Adresse e-mail")
        self.helper = _helper(_("Recevoir le lien"))


class SetPasswordForm(auth_forms.SetPasswordForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Enregistrer le mot de passe"))


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Changer le mot de passe"))


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "email_frequency"]
        widgets = {"email_frequency": forms.RadioSelect}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["email_frequency"].help_text = _(
            "Ce qui concerne vos propres contributions vous est toujours envoyé."
        )
        self.helper = _helper(_("Enregistrer"))


class AdminUserCreationForm(auth_forms.AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class AdminUserChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
