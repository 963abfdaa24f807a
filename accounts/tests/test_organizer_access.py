"""Verification opens the organizer's admin and revocation closes it (README "Organizers").

Approval (manual mode) and the selfie upload (auto mode) make the organizer staff and put them in the
Organizers group; revoking takes back only what verification gave. The staff flag an organizer gets is
never platform staff: it opens no other account, identity file or staff e-mail.
"""

import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.sql import emit_post_migrate_signal
from django.test import Client
from PIL import Image

from accounts.admin import UserAdmin
from accounts.models import User
from accounts.services import organizer_access, outreach, verification
from conftest import PASSWORD

pytestmark = pytest.mark.django_db

ADMIN = "/admin/"


def png(name="photo.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def submit_documents(user, client_for):
    client = client_for(user)
    client.post("/api/v1/auth/verification/upload-id/", {"id_document": png()}, format="multipart")
    client.post("/api/v1/auth/verification/upload-selfie/", {"selfie_image": png("me.png")}, format="multipart")
    user.refresh_from_db()
    return user


def in_group(user) -> bool:
    return user.groups.filter(name=organizer_access.ORGANIZERS_GROUP).exists()


def signed_in_admin(user):
    client = Client()
    client.post("/admin/login/?next=/admin/", {"username": user.username, "password": PASSWORD})
    return client


def test_approval_opens_the_admin_with_the_organizers_group(user, client_for):
    submit_documents(user, client_for)
    assert signed_in_admin(user).get(ADMIN).status_code == 302  # pending: not yet

    verification.approve_verification(user=user)
    user.refresh_from_db()

    assert user.is_staff and user.staff_via_verification and in_group(user)
    assert not user.is_platform_staff
    page = signed_in_admin(user).get(ADMIN)
    assert page.status_code == 200
    assert "/admin/events/organizerevent/" in page.content.decode()


def test_auto_mode_opens_the_admin_on_the_selfie(user, client_for, settings):
    settings.ORGANIZER_VERIFICATION = "auto"
    submit_documents(user, client_for)
    assert user.verification_status == "verified"
    assert user.is_staff and user.staff_via_verification and in_group(user)


def test_revocation_closes_the_admin(user, client_for):
    submit_documents(user, client_for)
    verification.approve_verification(user=user)

    verification.revoke_verification(user=user, reason="Documents expired.")
    user.refresh_from_db()

    assert not user.is_staff and not user.staff_via_verification and not in_group(user)
    assert signed_in_admin(user).get(ADMIN).status_code == 302


@pytest.mark.parametrize("privileges", [{"is_staff": True}, {"is_staff": True, "is_superuser": True}])
def test_staff_and_superusers_keep_their_access_through_approval_and_revocation(make_user, client_for, privileges):
    member = submit_documents(make_user(**privileges), client_for)
    verification.approve_verification(user=member)
    member.refresh_from_db()
    assert member.is_staff and not member.staff_via_verification and in_group(member)

    verification.revoke_verification(user=member, reason="Test.")
    member.refresh_from_db()
    assert member.is_staff and member.is_superuser == privileges.get("is_superuser", False)
    assert member.is_platform_staff and not in_group(member)


def test_rejection_grants_nothing(user, client_for):
    submit_documents(user, client_for)
    verification.reject_verification(user=user, reason="Blurry.")
    user.refresh_from_db()
    assert not user.is_staff and not in_group(user)


def test_the_group_holds_exactly_the_organizer_pages_permissions():
    group = Group.objects.get(name=organizer_access.ORGANIZERS_GROUP)
    names = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
    assert names == organizer_access.ORGANIZER_PERMISSIONS


def test_migrating_puts_the_group_back_in_sync():
    group = Group.objects.get(name=organizer_access.ORGANIZERS_GROUP)
    group.permissions.add(Permission.objects.get(codename="change_user"))
    group.permissions.remove(Permission.objects.get(codename="view_sale"))

    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    names = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
    assert names == organizer_access.ORGANIZER_PERMISSIONS


def test_organizers_verified_before_the_migration_get_their_access(make_organizer, make_user):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("accounts.migrations.0005_organizer_admin_access")
    organizer = make_organizer()
    staff_organizer = make_organizer(is_staff=True)
    bystander = make_user()

    migration.grant_verified_organizers(apps, None)

    for user in (organizer, staff_organizer, bystander):
        user.refresh_from_db()
    assert organizer.is_staff and organizer.staff_via_verification and in_group(organizer)
    assert staff_organizer.is_staff and not staff_organizer.staff_via_verification and in_group(staff_organizer)
    assert not bystander.is_staff and not in_group(bystander)


# --- An organizer's staff flag is not platform staff ----------------------------------------------


@pytest.fixture
def admin_organizer(make_admin_organizer):
    return make_admin_organizer()


def test_an_organizer_lists_only_themselves_through_the_users_endpoint(admin_organizer, make_user, client_for):
    other = make_user()
    client = client_for(admin_organizer)

    listing = client.get("/api/v1/auth/users/").json()
    assert [item["id"] for item in listing["results"]] == [admin_organizer.pk]
    assert client.get(f"/api/v1/auth/users/{other.pk}/").status_code == 404
    assert client.patch(f"/api/v1/auth/users/{other.pk}/", {"full_name": "Hacked"}, format="json").status_code == 404
    other.refresh_from_db()
    assert other.full_name != "Hacked"


def test_an_organizer_cannot_fetch_anyone_elses_identity_documents(admin_organizer, make_user, client_for):
    applicant = submit_documents(make_user(), client_for)
    url = f"/api/v1/auth/verification/files/id_document/?user_id={applicant.pk}"
    assert client_for(admin_organizer).get(url).status_code == 404
    assert client_for(make_user(is_staff=True)).get(url).status_code == 200


def test_staff_e_mails_go_to_platform_staff_only(
    admin_organizer, make_user, client_for, settings, django_capture_on_commit_callbacks
):
    settings.STAFF_NOTIFICATION_EMAILS = []
    reviewer = make_user(is_staff=True, email="reviewer@example.com")
    assert outreach.staff_addresses() == [reviewer.email]

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        submit_documents(make_user(), client_for)
    recipients = {address for message in mail.outbox for address in message.to}
    assert reviewer.email in recipients and admin_organizer.email not in recipients


def test_a_person_setting_the_staff_flag_owns_it_from_then_on(admin_organizer, rf, make_user):
    class Form:
        changed_data = ["is_staff"]

    request = rf.post("/admin/")
    request.user = make_user(is_staff=True, is_superuser=True)
    UserAdmin(User, None).save_model(request, admin_organizer, Form(), change=True)
    admin_organizer.refresh_from_db()
    assert admin_organizer.is_staff and not admin_organizer.staff_via_verification
    assert admin_organizer.is_platform_staff
