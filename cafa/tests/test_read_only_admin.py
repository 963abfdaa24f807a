"""The admin pages of rows only services write share one read-only base: staff look, never edit."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from cafa.admin import ReadOnlyAdminMixin
from payments.models import Payment
from payouts.models import LedgerEntry, VerificationTransfer
from tickets.models import Purchase


@pytest.mark.parametrize("model", [Payment, Purchase, LedgerEntry, VerificationTransfer])
def test_money_and_ticket_records_are_read_only_for_every_staff_member(model, django_user_model):
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/admin/")
    request.user = django_user_model(is_staff=True, is_superuser=True)

    assert isinstance(model_admin, ReadOnlyAdminMixin)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
