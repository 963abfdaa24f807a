"""Users: identity, profile, notification settings and organizer verification state.

Over 300 lines on purpose: Django keeps an app's models in one module; each model here is short, and
the user's verification and payout-profile rows sit beside the user they describe.
"""

import os
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models.functions import Lower
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property

from cafa.images import IMAGE_EXTENSIONS


class PrivateMediaStorage(FileSystemStorage):
    """Files under PRIVATE_MEDIA_ROOT, a folder no URL serves; read at use, so tests can move it."""

    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)


def private_storage():
    """Identity documents: stored outside MEDIA_ROOT, served only through authenticated views."""
    return PrivateMediaStorage()


@deconstructible
class RandomFileName:
    """upload_to: a random name keeping only an image extension, so stored names reveal nothing the uploader chose.

    Uploads arrive named by their detected format (cafa.images.clean_image); any other extension becomes
    `.bin`, which is never served as a page.
    """

    def __init__(self, folder):
        self.folder = folder

    def __call__(self, instance, filename):
        extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        if extension not in IMAGE_EXTENSIONS:
            extension = "bin"
        return f"{self.folder}/{uuid.uuid4().hex}.{extension}"

    def __eq__(self, other):
        return isinstance(other, RandomFileName) and other.folder == self.folder

    def __hash__(self):
        return hash(self.folder)


profile_image_path = RandomFileName("profiles")
kyc_document_path = RandomFileName("kyc")


class CafaUserManager(UserManager):
    """Stores e-mail addresses lower-case, whatever the caller sent."""

    @classmethod
    def normalize_email(cls, email):
        return (email or "").strip().lower()

    def get_by_natural_key(self, username):
        return self.get(username__iexact=username)

    def platform_staff(self):
        """The people who run the platform: superusers, and staff whose access verification did not grant."""
        return self.filter(models.Q(is_superuser=True) | models.Q(is_staff=True, staff_via_verification=False))


class VerificationStatus(models.TextChoices):
    NOT_STARTED = "not_started"
    ID_UPLOADED = "id_uploaded"
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"


class User(AbstractUser):
    first_name = None
    last_name = None
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150, blank=True, default="")
    phone_number = models.CharField(max_length=16, null=True, blank=True)
    profile_image = models.ImageField(upload_to=profile_image_path, null=True, blank=True)
    bio = models.TextField(max_length=500, null=True, blank=True)
    city = models.CharField(max_length=100, null=True, blank=True)
    country = models.CharField(max_length=100, null=True, blank=True, default="Ghana")
    is_email_verified = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    marketing_emails = models.BooleanField(default=True)
    event_reminders = models.BooleanField(default=True)
    email_notifications = models.BooleanField(default=True)
    sms_notifications = models.BooleanField(default=False)

    is_organizer = models.BooleanField(default=False)
    verification_status = models.CharField(
        max_length=20, choices=VerificationStatus.choices, default=VerificationStatus.NOT_STARTED
    )
    verification_submitted_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verification_notes = models.TextField(blank=True, default="")
    id_document = models.FileField(upload_to=kyc_document_path, storage=private_storage, null=True, blank=True)
    selfie_image = models.FileField(upload_to=kyc_document_path, storage=private_storage, null=True, blank=True)
    # Organizer verification makes a user staff so they can sign in to their scoped admin; this records that
    # it did, so revoking takes back only what verification gave (CONTRACT.md §3, README "Organizers").
    staff_via_verification = models.BooleanField(
        default=False, editable=False, help_text="is_staff was granted by organizer verification, not by a person."
    )

    objects = CafaUserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "username"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
            models.UniqueConstraint(Lower("username"), name="user_username_unique_ci"),
        ]
        indexes = [models.Index(fields=["verification_status"])]

    def __str__(self):
        return self.email

    def get_full_name(self):
        return self.full_name or self.username

    def get_short_name(self):
        return self.username

    @property
    def is_platform_staff(self) -> bool:
        """Staff who run the platform (not an organizer whose admin access came with verification)."""
        return self.is_active and (self.is_superuser or (self.is_staff and not self.staff_via_verification))

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @cached_property
    def notification_settings(self) -> dict:
        return {
            "marketing_emails": self.marketing_emails,
            "event_reminders": self.event_reminders,
            "email_notifications": self.email_notifications,
            "sms_notifications": self.sms_notifications,
        }


class VerificationRequest(User):
    """The staff review queue of identity verifications (a view of users, not a table)."""

    class Meta:
        proxy = True
        verbose_name = "verification request"


class PendingEmailChange(models.Model):
    """An address a user asked to move to; applied only when the link sent there is opened."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_changes")
    new_email = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "confirmed_at"])]

    def __str__(self):
        return f"{self.user_id} -> {self.new_email}"


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer"
    MOBILE_MONEY = "mobile_money"


class PaymentProfileStatus(models.TextChoices):
    PENDING = "pending"
    VERIFYING = "verifying"
    VERIFIED = "verified"
    FAILED = "failed"


class PaymentProfileQuerySet(models.QuerySet):
    def live(self):
        return self.filter(deleted_at__isnull=True)


class PaymentProfile(models.Model):
    """An organizer's payout account: a bank account or a mobile-money wallet."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payment_profiles")
    method = models.CharField(max_length=20, choices=PaymentMethod.choices)
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=500, blank=True, default="")
    account_number = models.CharField(max_length=20, help_text="Bank account number, or the wallet's +233 number.")
    account_name = models.CharField(max_length=150)
    bank_name = models.CharField(max_length=100, blank=True, default="")
    bank_code = models.CharField(max_length=20, blank=True, default="")
    branch = models.CharField(max_length=100, blank=True, default="")
    network = models.CharField(max_length=20, blank=True, default="")
    status = models.CharField(max_length=20, choices=PaymentProfileStatus.choices, default=PaymentProfileStatus.PENDING)
    is_default = models.BooleanField(default=False)
    verified_at = models.DateTimeField(null=True, blank=True)
    verification_initiated_at = models.DateTimeField(null=True, blank=True)
    verification_attempts = models.PositiveIntegerField(default=0)
    failure_reason = models.CharField(max_length=300, blank=True, default="")
    resolved_account_name = models.CharField(max_length=150, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    recipient_code = models.CharField(
        max_length=60, blank=True, default="", help_text="The provider's transfer recipient for this account."
    )
    verification_reference = models.CharField(
        max_length=40, blank=True, default="", help_text="Reference (pd-...) of the latest verification transfer."
    )
    verification_transfer_code = models.CharField(max_length=60, blank=True, default="")

    objects = PaymentProfileQuerySet.as_manager()

    class Meta:
        ordering = ["-is_default", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(is_default=True, deleted_at__isnull=True),
                name="payment_profile_one_default_per_user",
            ),
            models.UniqueConstraint(
                fields=["user", "method", "account_number"],
                condition=models.Q(deleted_at__isnull=True),
                name="payment_profile_unique_live_account",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_method_display()})"

    @property
    def is_verified(self) -> bool:
        return self.status == PaymentProfileStatus.VERIFIED


class OrganizerPaymentProfile(PaymentProfile):
    """An organizer's own payout accounts, as their admin pages show them (README "Organizers")."""

    class Meta:
        proxy = True
        verbose_name = "payment profile"
        verbose_name_plural = "my payment profiles"


class ContactMessage(models.Model):
    """A message sent through the public contact form; staff are e-mailed a copy."""

    name = models.CharField(max_length=100)
    email = models.EmailField()
    phone = models.CharField(max_length=16, blank=True, default="")
    subject = models.CharField(max_length=200)
    message = models.TextField(max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.reference

    @property
    def reference(self) -> str:
        return f"MSG-{self.pk:06d}"


class NewsletterSource(models.TextChoices):
    HOMEPAGE = "homepage"
    FOOTER = "footer"
    EVENT_PAGE = "event_page"
    CHECKOUT = "checkout"
    OTHER = "other"


class NewsletterSubscription(models.Model):
    """One address on the newsletter list; unsubscribing keeps the row, inactive."""

    email = models.EmailField()
    source = models.CharField(max_length=20, choices=NewsletterSource.choices, default=NewsletterSource.FOOTER)
    is_active = models.BooleanField(default=True)
    subscribed_at = models.DateTimeField()
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="newsletter_email_unique_ci")]

    def __str__(self):
        return self.email
