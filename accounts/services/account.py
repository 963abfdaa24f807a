"""Every write of the accounts domain. Views call these; they own transactions and invariants."""

import contextlib
import logging
import uuid

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import update_last_login
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts import emails, tokens
from accounts.backends import find_user_by_identifier
from accounts.exceptions import AccountChangeRefused, AccountNotVerified, InvalidCredentials, StaleActivation
from accounts.models import PendingEmailChange
from accounts.signals import account_deletion_requested
from accounts.validators import validate_username
from cafa.api.parsing import is_ascii_digits
from cafa.media import delete_unreferenced_on_commit

logger = logging.getLogger(__name__)
User = get_user_model()

DELETE_CONFIRMATION = "DELETE MY ACCOUNT"
PROFILE_FIELDS = {"full_name", "phone_number", "bio", "city", "country", "profile_image"}
SETTINGS_FIELDS = {"marketing_emails", "event_reminders", "email_notifications", "sms_notifications"}


def register_user(*, email, username, password, full_name="", phone_number=None) -> User:
    """Create an inactive account; the activation e-mail is sent by the caller (djoser)."""
    try:
        with transaction.atomic():
            return User.objects.create_user(
                email=email,
                username=username,
                password=password,
                full_name=full_name or "",
                phone_number=phone_number or None,
                is_active=False,
            )
    except IntegrityError as error:  # a concurrent registration won the race on email/username
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError({"username": ["A user with that username already exists."]}) from error
        raise ValidationError({"email": ["A user with this email already exists."]}) from error


def activate_account(*, user) -> None:
    """Mark the account active and its e-mail address verified.

    An old link never re-opens an account that staff deactivated or its owner deleted.
    """
    if user.is_email_verified or user.deleted_at is not None:
        raise StaleActivation()
    user.is_active = True
    user.is_email_verified = True
    user.save(update_fields=["is_active", "is_email_verified"])


def authenticate_credentials(*, identifier: str, password: str) -> User:
    """The user whose e-mail or username and password match.

    Raises InvalidCredentials (also for deleted or deactivated accounts) or AccountNotVerified
    when the password is right but the account was never activated.
    """
    user = find_user_by_identifier(identifier)
    if user is None:
        User().set_password(password)  # equal work whether or not the account exists
        raise InvalidCredentials()
    if not user.check_password(password) or user.deleted_at is not None:
        raise InvalidCredentials()
    if not user.is_active:
        if user.is_email_verified:
            raise InvalidCredentials()
        raise AccountNotVerified(resend_verification_url="/api/v1/auth/users/resend_activation/")
    return user


def issue_tokens(*, user) -> dict:
    """A fresh refresh/access pair; records the login."""
    refresh = RefreshToken.for_user(user)
    update_last_login(None, user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def logout(*, refresh: str | None) -> None:
    """Blacklist the refresh token when it is valid; anything else is quietly accepted."""
    if not refresh:
        return
    with contextlib.suppress(TokenError):
        RefreshToken(refresh).blacklist()


def update_profile(*, user, **changes) -> User:
    """Apply the writable profile fields; `profile_image=None` removes the image."""
    unknown = set(changes) - PROFILE_FIELDS
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    old_image = user.profile_image
    if not changes:
        return user
    for field, value in changes.items():
        setattr(user, field, value)
    user.save(update_fields=list(changes))
    if "profile_image" in changes and old_image.name != (user.profile_image.name or None):
        delete_unreferenced_on_commit(old_image)
    return user


def update_settings(*, user, **changes) -> dict:
    """Switch notification settings on or off."""
    for field, value in changes.items():
        if field in SETTINGS_FIELDS:
            setattr(user, field, value)
    changed = [field for field in changes if field in SETTINGS_FIELDS]
    if changed:
        user.save(update_fields=changed)
    user.__dict__.pop("notification_settings", None)
    return user.notification_settings


def _require(**fields):
    missing = [name for name, value in fields.items() if value in (None, "")]
    if missing:
        raise AccountChangeRefused(
            f"Required: {', '.join(missing)}.",
            error="Missing fields",
            details={name: ["This field is required."] for name in missing},
        )


def _check_password(user, password):
    if not user.check_password(password or ""):
        raise AccountChangeRefused("The password you entered is incorrect.", error="Invalid password")


def change_password(*, user, current_password, new_password, confirm_password) -> None:
    """Replace the password after checking the current one; existing tokens stay valid."""
    _require(current_password=current_password, new_password=new_password, confirm_password=confirm_password)
    _check_password(user, current_password)
    if new_password != confirm_password:
        raise AccountChangeRefused("The new passwords do not match.", error="Password mismatch")
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as error:
        raise AccountChangeRefused(
            " ".join(error.messages), error="Weak password", details={"new_password": error.messages}
        ) from error
    user.set_password(new_password)
    user.save(update_fields=["password"])


def change_username(*, user, username, password) -> str:
    """Rename the account after checking the password; usernames are unique case-insensitively."""
    _require(username=username, password=password)
    _check_password(user, password)
    username = username.strip()
    try:
        validate_username(username)
    except ValidationError as error:
        raise AccountChangeRefused(error.messages[0], error="Invalid username") from error
    taken = User.objects.filter(username__iexact=username).exclude(pk=user.pk).exists()
    if taken:
        raise AccountChangeRefused("That username is already taken.", error="Username taken")
    user.username = username
    try:
        user.save(update_fields=["username"])
    except IntegrityError as error:
        raise AccountChangeRefused("That username is already taken.", error="Username taken") from error
    return username


def deletion_blockers(user) -> list[str]:
    """Reasons other apps give for keeping the account (live events, open withdrawals, balance)."""
    responses = account_deletion_requested.send(sender=User, user=user)
    return [reason for _receiver, reason in responses if reason]


def delete_account(*, user, password, confirmation) -> None:
    """Deactivate and anonymise the account; purchases, tickets and ledger entries are kept."""
    _check_password(user, password)
    if confirmation != DELETE_CONFIRMATION:
        raise AccountChangeRefused(f'Type "{DELETE_CONFIRMATION}" to confirm.', error="Invalid confirmation")
    anonymise_account(user=user)


def anonymise_account(*, user) -> None:
    """Refuse while other apps object; else strip personal data and revoke every token."""
    reasons = deletion_blockers(user)
    if reasons:
        raise AccountChangeRefused(" ".join(reasons), error="Cannot delete account")
    with transaction.atomic():
        tag = f"{user.pk}-{uuid.uuid4().hex[:8]}"
        delete_unreferenced_on_commit(user.profile_image)
        user.profile_image = None
        user.email = f"deleted-{tag}@deleted.invalid"
        user.username = f"deleted-{tag}"
        user.full_name = ""
        user.phone_number = user.bio = user.city = None
        user.is_active = False
        user.deleted_at = timezone.now()
        user.set_unusable_password()
        user.save()
        revoke_all_tokens(user=user)


def reset_password(*, user, new_password) -> None:
    """A10: set the password a reset link asked for and revoke every refresh token of the account.

    A reset says the old password may be known to someone else, so no session it opened may mint
    access tokens any more (A13, made while logged in, keeps them: CONTRACT §2.9). Stamping
    last_login as well makes the link single-use, as djoser does.
    """
    with transaction.atomic():
        user.set_password(new_password)
        user.last_login = timezone.now()
        user.save(update_fields=["password", "last_login"])
        revoke_all_tokens(user=user)


def revoke_all_tokens(*, user) -> None:
    """Blacklist every refresh token of the user that is still unexpired and not yet blacklisted."""
    live = OutstandingToken.objects.filter(user=user, expires_at__gt=timezone.now(), blacklistedtoken__isnull=True)
    BlacklistedToken.objects.bulk_create([BlacklistedToken(token=token) for token in live], ignore_conflicts=True)


def request_email_change(*, user, new_email, password) -> PendingEmailChange:
    """Record the wish and mail a confirmation link to the new address; nothing changes yet."""
    _check_password(user, password)
    new_email = User.objects.normalize_email(new_email)
    if User.objects.filter(email__iexact=new_email).exists():
        raise AccountChangeRefused("An account with this email already exists.", error="Email taken")
    change = PendingEmailChange.objects.create(user=user, new_email=new_email)
    transaction.on_commit(lambda: emails.queue("email_change_confirm", user.pk, change_id=change.pk))
    return change


def confirm_email_change(*, uid, token) -> User:
    """Apply a pending change whose link is genuine, unexpired and still current."""
    invalid = AccountChangeRefused(
        "The confirmation link is invalid or has expired.", error="Invalid token", details={"token": ["Invalid token."]}
    )
    try:
        user_id = force_str(urlsafe_base64_decode(uid or ""))
        payload = tokens.read_email_change_token(token)
    except (ValueError, TypeError, signing.BadSignature):
        raise invalid from None
    if not is_ascii_digits(user_id):
        raise invalid
    user_id = int(user_id)
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id, is_active=True).first()
        change = PendingEmailChange.objects.filter(pk=payload.get("c"), user_id=user_id, confirmed_at=None).first()
        if user is None or change is None or user.email != payload.get("o") or change.new_email != payload.get("e"):
            raise invalid
        if User.objects.filter(email__iexact=change.new_email).exclude(pk=user.pk).exists():
            raise AccountChangeRefused("An account with this email already exists.", error="Email taken")
        old_email, user.email = user.email, change.new_email
        user.save(update_fields=["email"])
        change.confirmed_at = timezone.now()
        change.save(update_fields=["confirmed_at"])
    transaction.on_commit(lambda: emails.queue("email_changed_notice", user.pk, old_email=old_email))
    return user
