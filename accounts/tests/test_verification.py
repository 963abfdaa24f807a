"""Organizer identity verification V1-V5 and the staff review (CONTRACT.md §3, §14.6)."""

import io
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.services import verification

pytestmark = pytest.mark.django_db

STATUS = "/api/v1/auth/verification/status/"
UPLOAD_ID = "/api/v1/auth/verification/upload-id/"
UPLOAD_SELFIE = "/api/v1/auth/verification/upload-selfie/"
RETRY = "/api/v1/auth/verification/retry/"


def png(name="photo.png", size=(40, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def upload(client, url, field, file):
    return client.post(url, {field: file}, format="multipart")


@pytest.fixture
def submitted(user, client_for, django_capture_on_commit_callbacks):
    client = client_for(user)
    upload(client, UPLOAD_ID, "id_document", png())
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, UPLOAD_SELFIE, "selfie_image", png("me.png"))
    user.refresh_from_db()
    return user


def test_a_new_user_is_told_to_upload_an_id(auth_client):
    body = auth_client.get(STATUS).json()
    assert body["success"] is True
    data = body["data"]
    assert data["verification_status"] == "not_started"
    assert data["next_step"] == "upload_id"
    assert data["mode"] == "manual"
    assert data["id_document"] is None
    assert data["can_create_events"] is False


def test_id_upload_is_stored_privately_and_served_only_through_the_api(auth_client, user, settings):
    response = upload(auth_client, UPLOAD_ID, "id_document", png())
    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "ID document uploaded successfully"
    assert body["data"]["verification_status"] == "id_uploaded"
    assert body["data"]["next_step"] == "upload_selfie"
    assert body["data"]["id_document_url"] == "http://testserver/api/v1/auth/verification/files/id_document/"

    user.refresh_from_db()
    stored = Path(user.id_document.path)
    assert stored.is_relative_to(settings.PRIVATE_MEDIA_ROOT)
    assert not stored.is_relative_to(settings.MEDIA_ROOT)
    assert auth_client.get(f"/media/{user.id_document.name}").status_code == 404

    served = auth_client.get("/api/v1/auth/verification/files/id_document/")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"


def test_other_users_cannot_fetch_identity_files_but_staff_can(submitted, make_user, client_for):
    stranger = client_for(make_user())
    assert stranger.get("/api/v1/auth/verification/files/id_document/").status_code == 404
    assert stranger.get(f"/api/v1/auth/verification/files/id_document/?user_id={submitted.pk}").status_code == 404
    staff = client_for(make_user(is_staff=True))
    assert staff.get(f"/api/v1/auth/verification/files/selfie_image/?user_id={submitted.pk}").status_code == 200


def test_a_fake_image_is_refused_and_nothing_changes(auth_client, user):
    fake = SimpleUploadedFile("id.jpg", b"not really a jpeg", content_type="image/jpeg")
    response = upload(auth_client, UPLOAD_ID, "id_document", fake)
    assert response.status_code == 400
    body = response.json()
    assert body["success"] is False
    assert body["error"] == "Validation Error"
    assert body["details"]["id_document"]
    user.refresh_from_db()
    assert user.verification_status == "not_started"
    assert not user.id_document


def test_a_selfie_before_the_id_document_is_refused(auth_client):
    response = upload(auth_client, UPLOAD_SELFIE, "selfie_image", png())
    assert response.status_code == 400
    assert response.json()["error"] == "ID document required"
    assert response.json()["message"] == "Upload your ID document first."
    assert response.json()["success"] is False


@pytest.fixture(autouse=True)
def staff_member(make_user):
    return make_user(is_staff=True, email="reviewer@example.com")


def test_manual_mode_puts_the_request_under_review_and_tells_staff(submitted):
    assert submitted.verification_status == "pending"
    assert submitted.is_organizer is False
    assert submitted.verification_submitted_at is not None
    review_mail = [message for message in mail.outbox if "verification" in message.subject.lower()]
    assert review_mail and review_mail[0].to == ["reviewer@example.com"]


def test_no_new_id_while_the_review_is_in_progress(submitted, client_for):
    response = upload(client_for(submitted), UPLOAD_ID, "id_document", png())
    assert response.status_code == 400
    assert response.json()["error"] == "Verification in progress"


def test_auto_mode_verifies_on_the_selfie(auth_client, user, settings):
    settings.ORGANIZER_VERIFICATION = "auto"
    upload(auth_client, UPLOAD_ID, "id_document", png())
    response = upload(auth_client, UPLOAD_SELFIE, "selfie_image", png())
    data = response.json()["data"]
    assert data["verification_status"] == "verified"
    assert data["is_organizer"] is True
    assert data["can_create_events"] is True
    assert data["verified_at"]


def test_a_verified_organizer_posting_a_selfie_stays_verified(submitted, client_for):
    verification.approve_verification(user=submitted)
    submitted.refresh_from_db()
    response = upload(client_for(submitted), UPLOAD_SELFIE, "selfie_image", png("again.png"))
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["verification_status"] == "verified"
    assert data["is_organizer"] is True
    assert data["organizer_status_preserved"] is True


def test_approval_makes_an_organizer_and_emails_the_user(submitted, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        verification.approve_verification(user=submitted)
    submitted.refresh_from_db()
    assert submitted.verification_status == "verified"
    assert submitted.is_organizer is True
    assert submitted.verified_at is not None
    assert mail.outbox[0].to == [submitted.email]


def test_rejection_shows_the_reason_and_retry_starts_over(submitted, client_for):
    verification.reject_verification(user=submitted, reason="The photo is blurred.")
    submitted.refresh_from_db()
    client = client_for(submitted)
    data = client.get(STATUS).json()["data"]
    assert data["verification_status"] == "rejected"
    assert data["rejection_reason"] == "The photo is blurred."
    assert data["verification_notes"] == "The photo is blurred."
    assert data["next_step"] == "resubmit"

    id_path = Path(submitted.id_document.path)
    response = client.post(RETRY, {}, format="json")
    assert response.status_code == 200
    assert response.json()["data"]["verification_status"] == "not_started"
    assert response.json()["data"]["next_step"] == "upload_id"
    assert not id_path.exists()


def test_retry_is_only_for_rejected_requests(submitted, client_for):
    response = client_for(submitted).post(RETRY, {}, format="json")
    assert response.status_code == 400
    assert response.json()["error"] == "Cannot retry"


def test_a_rejected_user_may_upload_a_new_id_directly(submitted, client_for):
    verification.reject_verification(user=submitted, reason="Expired ID.")
    response = upload(client_for(submitted), UPLOAD_ID, "id_document", png())
    assert response.json()["data"]["verification_status"] == "id_uploaded"


def test_revocation_clears_the_organizer_flag(submitted):
    verification.approve_verification(user=submitted)
    verification.revoke_verification(user=submitted, reason="Fraud report.")
    submitted.refresh_from_db()
    assert submitted.verification_status == "rejected"
    assert submitted.is_organizer is False


def test_staff_review_queue_approves_and_rejects_with_a_reason(submitted, make_user, admin_client):
    other = make_user()
    verification.upload_id_document(user=other, document=png())
    verification.upload_selfie(user=other, selfie=png())  # -> pending
    url = "/admin/accounts/verificationrequest/"
    assert admin_client.get(url).status_code == 200

    admin_client.post(url, {"action": "approve", "_selected_action": [submitted.pk]})
    submitted.refresh_from_db()
    assert submitted.verification_status == "verified"

    form = admin_client.post(url, {"action": "reject", "_selected_action": [other.pk]})
    assert form.status_code == 200 and b"reason" in form.content
    admin_client.post(url, {"action": "reject", "_selected_action": [other.pk], "apply": "1", "reason": "Mismatch."})
    other.refresh_from_db()
    assert other.verification_status == "rejected"
    assert other.verification_notes == "Mismatch."
