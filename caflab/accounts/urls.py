from django.contrib.auth import views as auth_views
from django.urls import path

from caflab.accounts import citizen_views, people, views

app_name = "accounts"

urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", views.LogoutView.as_view(), name="logout"),
    path("profil/", views.ProfileView.as_view(), name="profile"),
    path("personnes/", people.people_search, name="people-search"),
    path("mot-de-passe/changer/", views.PasswordChangeView.as_view(), name="password-change"),
    path("mot-de-passe/oubli/", views.PasswordResetView.as_view(), name="password-reset"),
    path(
        "mot-de-passe/oubli/envoye/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password-reset-done",
    ),
    path(
        "mot-de-passe/reinitialiser/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "mot-de-passe/reinitialise/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
    # citizens: sign-up with a confirmed address, my data, deleting one's account
    path("inscription/", citizen_views.SignupView.as_view(), name="signup"),
    path("inscription/envoye/", citizen_views.SignupSentView.as_view(), name="signup-sent"),
    path("inscription/renvoyer/", citizen_views.SignupResendView.as_view(), name="signup-resend"),
    path(
        "inscription/confirmer/<str:token>/",
        citizen_views.signup_verify_view,
        name="signup-verify",
    ),
    path("mes-donnees/", citizen_views.MyDataView.as_view(), name="my-data"),
    path(
        "mes-donnees/telecharger/<str:fmt>/",
        citizen_views.my_data_download,
        name="my-data-download",
    ),
    path("supprimer-mon-compte/", citizen_views.account_delete_view, name="account-delete"),
]
