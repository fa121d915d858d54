"""A history shown in the admin under its object cannot be written there: its rows are written
by the moves they record (caflab.core.workflow) and are evidence."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from caflab.core.admin_protection import HistoryInline
from caflab.core.workflow import StatusHistory
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def _inlines():
    for model_admin in admin.site._registry.values():
        for inline_class in model_admin.inlines:
            yield inline_class(model_admin.model, admin.site)


def test_every_status_history_inline_is_read_only_and_closed_to_additions():
    request = RequestFactory().get("/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    histories = [i for i in _inlines() if issubclass(i.model, StatusHistory)]
    assert len(histories) >= 5  # stages, deployments, initiatives, consultations, effects
    for inline in histories:
        assert isinstance(inline, HistoryInline), type(inline).__name__
        assert not inline.has_add_permission(request, None), type(inline).__name__
        assert not inline.can_delete, type(inline).__name__
        assert set(inline.get_readonly_fields(request)) == set(inline.fields)
