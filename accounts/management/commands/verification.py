"""`manage.py verification approve|reject|revoke <user> [--reason TEXT] [--dry-run]`: organizer identity decisions.

The same services as the staff admin (CONTRACT.md §14.6): approve `pending -> verified` (the user becomes
an organizer), reject `pending -> rejected` (a reason is required), revoke `verified -> rejected` (the
organizer flag is cleared). The user is e-mailed as from the admin. A decision already in force is
left alone (exit 0); one the state machine forbids is an error. <user> is an e-mail, username or id.
"""

from django.core.management.base import CommandError

from accounts import selectors
from accounts.models import VerificationStatus
from accounts.services import verification
from cafa.commands import OperatorCommand

# decision -> (status it needs, status it leads to)
DECISIONS = {
    "approve": (VerificationStatus.PENDING, VerificationStatus.VERIFIED),
    "reject": (VerificationStatus.PENDING, VerificationStatus.REJECTED),
    "revoke": (VerificationStatus.VERIFIED, VerificationStatus.REJECTED),
}

PAST = {"approve": "approved", "reject": "rejected", "revoke": "revoked"}


class Command(OperatorCommand):
    help = "Approve, reject or revoke an organizer's identity verification."

    def add_options(self, parser):
        parser.add_argument("decision", choices=sorted(DECISIONS))
        parser.add_argument("user", help="The user's e-mail, username or id.")
        parser.add_argument("--reason", default="", help="Shown to the user (required to reject).")

    def handle(self, *args, decision, user, reason="", dry_run=False, **options):
        found = selectors.user_by_identifier(user)
        if found is None:
            raise CommandError(f"No user {user!r} (give an e-mail, username or id).")
        reason = reason.strip()
        if decision == "reject" and not reason:
            raise CommandError("A rejection needs --reason (the user reads it).")
        needed, result = DECISIONS[decision]
        label = f"{found.email} ({found.verification_status})"
        if found.verification_status == result and (decision == "approve" or not found.is_organizer):
            self.summarize(f"verification: {label} already {result}: nothing to do", dry_run=dry_run)
            return
        if found.verification_status != needed:
            raise CommandError(f"Cannot {decision} {label}: only a {needed} verification can be {PAST[decision]}.")
        if dry_run:
            self.summarize(f"verification: would {decision} {label}", dry_run=True)
            return
        if decision == "approve":
            verification.approve_verification(user=found)
        elif decision == "reject":
            verification.reject_verification(user=found, reason=reason)
        else:
            verification.revoke_verification(user=found, reason=reason)
        self.summarize(f"verification: {found.email} {PAST[decision]} ({needed} -> {result}); the user is e-mailed")
