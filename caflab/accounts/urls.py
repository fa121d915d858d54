from django.contrib.auth import views as auth_views
from django.urls import path

from caflab.accounts import citizen_views, import_views, people, sso_views, views

app_name = "accounts"

urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", sso_views.logout_view, name="logout"),
    # single sign-on: the agents' and the citizens' identity providers, and pending accounts
    path("connexion/sso/<str:provider>/", sso_views.sso_login, name="sso-login"),
    path("connexion/sso/<str:provider>/retour/", sso_views.sso_callback, name="sso-callback"),
    path(
        "deconnexion/sso/<str:provider>/retour/",
        sso_views.sso_logged_out,
        name="sso-logged-out",
    ),
    path("en-attente/", sso_views.PendingView.as_view(), name="pending"),
    path("a-rattacher/", sso_views.PendingListView.as_view(), name="pending-list"),
    path("a-rattacher/<int:pk>/", sso_views.pending_assign, name="pending-assign"),
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
    # the network at scale: the administrators' import of a people file, and its invitations
    path("import/", import_views.people_import_view, name="import"),
    path(
        "import/invitations/<int:pk>/",
        import_views.invitation_batch_detail,
        name="invitation-batch",
    ),
    path(
        "import/invitations/<int:pk>/relancer/",
        import_views.invitation_batch_retry_view,
        name="invitation-batch-retry",
    ),
    path("invitation/<uidb64>/<token>/", import_views.invitation_view, name="invitation"),
]
