"""`manage.py verification approve|reject|revoke <user>` (README "Operators", CONTRACT.md §14.6)."""

import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from accounts.models import User

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("verification", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def state(user) -> tuple:
    user = User.objects.get(pk=user.pk)
    return user.verification_status, user.is_organizer, user.verification_notes


@pytest.fixture
def applicant(make_user):
    return make_user(email="yaw@example.com", username="yaw", verification_status="pending")


def test_approve(applicant, django_capture_on_commit_callbacks):
    assert run("approve", "yaw@example.com", "--dry-run") == (
        "verification: would approve yaw@example.com (pending) (dry run: nothing changed)"
    )
    assert state(applicant) == ("pending", False, "")

    with django_capture_on_commit_callbacks(execute=True):
        line = run("approve", "YAW@example.com")
    assert line == "verification: yaw@example.com approved (pending -> verified); the user is e-mailed"
    assert state(applicant)[:2] == ("verified", True)
    assert len(mail.outbox) == 1

    assert run("approve", "yaw") == "verification: yaw@example.com (verified) already verified: nothing to do"
    assert len(mail.outbox) == 1


def test_reject_needs_a_reason_and_happens_once(applicant, django_capture_on_commit_callbacks):
    with pytest.raises(CommandError, match="A rejection needs --reason"):
        run("reject", "yaw")
    with django_capture_on_commit_callbacks(execute=True):
        run("reject", str(applicant.pk), "--reason", "The ID photo is blurred.")
    assert state(applicant) == ("rejected", False, "The ID photo is blurred.")
    assert "already rejected: nothing to do" in run("reject", "yaw", "--reason", "Again.")
    assert state(applicant) == ("rejected", False, "The ID photo is blurred.")
    with pytest.raises(CommandError, match="only a pending verification can be approved"):
        run("approve", "yaw")


def test_revoke(make_user, django_capture_on_commit_callbacks):
    organizer = make_user(username="ama", verification_status="verified", is_organizer=True)
    with pytest.raises(CommandError, match="only a pending verification can be rejected"):
        run("reject", "ama", "--reason", "No.")  # a verified organizer is revoked, not rejected
    assert run("revoke", "ama", "--dry-run").endswith("(dry run: nothing changed)")
    assert state(organizer)[:2] == ("verified", True)
    with django_capture_on_commit_callbacks(execute=True):
        run("revoke", "ama", "--reason", "Fraud reports.")
    assert state(organizer) == ("rejected", False, "Fraud reports.")
    assert "already rejected: nothing to do" in run("revoke", "ama")


def test_bad_arguments_are_refused_clearly(applicant):
    with pytest.raises(CommandError, match=r"No user 'nobody@example\.com'"):
        run("approve", "nobody@example.com")
    with pytest.raises(CommandError, match="invalid choice: 'promote'"):
        run("promote", "yaw")
    assert state(applicant) == ("pending", False, "")
