"""Admins work in the Django admin: every model of ours is registered and its pages open."""

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.urls import reverse

from tests.accounts.factories import UserFactory

OUR_MODELS = [
    model
    for app_name in settings.LOCAL_APPS
    for model in apps.get_app_config(app_name.rsplit(".", 1)[-1]).get_models()
]


def test_every_model_of_ours_is_registered_in_the_admin():
    missing = [m._meta.label for m in OUR_MODELS if not admin.site.is_registered(m)]
    assert not missing, f"models missing from the admin: {missing}"


@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda m: m._meta.label)
def test_admin_changelist_search_and_add_pages_open(client, rf, db, model):
    root = UserFactory(email="root@cnaf.example", admin=True)
    client.force_login(root)
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert client.get(changelist).status_code == 200
    assert client.get(changelist, {"q": "test"}).status_code == 200
    model_admin = admin.site._registry[model]
    request = rf.get(changelist)
    request.user = root
    if model_admin.has_add_permission(request):
        add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
        assert client.get(add).status_code == 200


def test_admin_index_refuses_accounts_without_staff_access(client, lab_staff):
    client.force_login(lab_staff)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
