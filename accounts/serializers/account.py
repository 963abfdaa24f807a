"""Input validation and output shapes of the account endpoints (CONTRACT.md §1.12, §2)."""

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from djoser import serializers as djoser_serializers
from rest_framework import serializers

from accounts import selectors
from accounts.serializers.fields import ImageUploadField, PhoneField, django_errors
from accounts.services import account as services
from accounts.validators import validate_username
from cafa.api.fields import absolute_media_url

User = get_user_model()
PASSWORDS_DO_NOT_MATCH = "Passwords do not match."


class NotificationSettingsSerializer(serializers.Serializer):
    marketing_emails = serializers.BooleanField(required=False)
    event_reminders = serializers.BooleanField(required=False)
    email_notifications = serializers.BooleanField(required=False)
    sms_notifications = serializers.BooleanField(required=False)


class UserSerializer(serializers.ModelSerializer):
    """The User object of CONTRACT.md §1.12; only the profile fields are writable."""

    profile_image = ImageUploadField(max_bytes_setting="PROFILE_IMAGE_MAX_BYTES", clearable=True)
    phone_number = PhoneField(max_length=20)
    full_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    bio = serializers.CharField(max_length=500, required=False, allow_blank=True, allow_null=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True, allow_null=True)
    country = serializers.CharField(max_length=100, required=False, allow_blank=True, allow_null=True)
    settings = serializers.SerializerMethodField()
    stats = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "full_name",
            "phone_number",
            "profile_image",
            "bio",
            "city",
            "country",
            "is_email_verified",
            "is_organizer",
            "verification_status",
            "date_joined",
            "last_login",
            "settings",
            "stats",
        ]
        read_only_fields = [
            "id",
            "username",
            "email",
            "is_email_verified",
            "is_organizer",
            "verification_status",
            "date_joined",
            "last_login",
        ]

    def get_settings(self, user) -> dict:
        return user.notification_settings

    def get_stats(self, user) -> dict:
        return selectors.user_stats(user)

    def to_representation(self, user):
        data = super().to_representation(user)
        data["profile_image"] = absolute_media_url(self.context.get("request"), user.profile_image)
        return data

    def update(self, user, validated_data):
        return services.update_profile(user=user, **validated_data)


class RegistrationSerializer(serializers.Serializer):
    """A1: accepts `re_password` (web), `password_confirm` (mobile) or neither."""

    email = serializers.EmailField(max_length=254)
    username = serializers.CharField(max_length=30)
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    re_password = serializers.CharField(write_only=True, required=False)
    password_confirm = serializers.CharField(write_only=True, required=False)
    full_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    phone_number = PhoneField(max_length=20)

    def validate_email(self, value):
        value = User.objects.normalize_email(value)
        if User.objects.filter(email__iexact=value).exists():
            raise serializers.ValidationError("A user with this email already exists.")
        return value

    def validate_username(self, value):
        value = value.strip()
        django_errors(validate_username, value)
        if User.objects.filter(username__iexact=value).exists():
            raise serializers.ValidationError("A user with that username already exists.")
        return value

    def validate(self, attrs):
        for retype in ("re_password", "password_confirm"):
            if retype in attrs and attrs.pop(retype) != attrs["password"]:
                raise serializers.ValidationError({retype: [PASSWORDS_DO_NOT_MATCH]})
        candidate = User(email=attrs["email"], username=attrs["username"], full_name=attrs.get("full_name", ""))
        try:
            password_validation.validate_password(attrs["password"], candidate)
        except DjangoValidationError as error:
            raise serializers.ValidationError({"password": error.messages}) from error
        return attrs

    def create(self, validated_data):
        try:
            return services.register_user(**validated_data)
        except DjangoValidationError as error:  # lost a race with a concurrent registration
            raise serializers.ValidationError(error.message_dict) from error

    def to_representation(self, user):
        return {
            "id": user.pk,
            "username": user.username,
            "email": user.email,
            "full_name": user.full_name,
            "message": "Account created. Check your e-mail to activate your account.",
        }


class AccountEmailSerializer(djoser_serializers.SendEmailResetSerializer):
    """A3/A9 `{email}`: case-insensitive; activation mail only to never-activated accounts."""

    def validate_email(self, value):
        return User.objects.normalize_email(value)

    def get_user(self, is_active=True):
        filters = {"is_active": is_active, "email__iexact": self.data.get("email", "")}
        if not is_active:
            filters["is_email_verified"] = False
        user = User.objects.filter(**filters).first()
        return user if user is not None and user.has_usable_password() else None


class _TextUidAndTokenMixin:
    """djoser decodes `uid` and `token` straight from the request: anything but text is refused here."""

    def validate(self, attrs):
        for key in ("uid", "token"):
            if not isinstance(self.initial_data.get(key, ""), str):
                raise serializers.ValidationError({key: [INVALID_LINK[key]]})
        return super().validate(attrs)


INVALID_LINK = {"uid": "Invalid user id or user doesn't exist.", "token": "Invalid token for given user."}


class ActivationSerializer(_TextUidAndTokenMixin, djoser_serializers.ActivationSerializer):
    """A2: `{uid, token}`."""


class _OptionalRetypeMixin:
    def validate(self, attrs):
        retyped = self.initial_data.get("re_new_password")
        if retyped is not None and retyped != self.initial_data.get("new_password"):
            raise serializers.ValidationError({"re_new_password": [PASSWORDS_DO_NOT_MATCH]})
        return super().validate(attrs)


class PasswordResetConfirmSerializer(
    _TextUidAndTokenMixin, _OptionalRetypeMixin, djoser_serializers.PasswordResetConfirmSerializer
):
    """A10: uid, token, new_password, optional re_new_password."""


class SetPasswordSerializer(_OptionalRetypeMixin, djoser_serializers.SetPasswordSerializer):
    """A18 set_password: current_password, new_password, optional re_new_password."""


class SetUsernameSerializer(djoser_serializers.CurrentPasswordSerializer):
    """A18 set_username: the A14 rules."""

    new_username = serializers.CharField(max_length=30)

    def validate_new_username(self, value):
        value = value.strip()
        django_errors(validate_username, value)
        user = self.context["request"].user
        if User.objects.filter(username__iexact=value).exclude(pk=user.pk).exists():
            raise serializers.ValidationError("A user with that username already exists.")
        return value


class DjoserDeleteSerializer(djoser_serializers.CurrentPasswordSerializer):
    """A17 DELETE users/me/: `{current_password}`."""


class LoginSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254, help_text="E-mail address or username.")
    password = serializers.CharField(style={"input_type": "password"})


class TokenCreateSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254, required=False)
    username = serializers.CharField(max_length=254, required=False)
    password = serializers.CharField(style={"input_type": "password"})

    def validate(self, attrs):
        identifier = attrs.get("email") or attrs.get("username")
        if not identifier:
            raise serializers.ValidationError({"email": ["This field is required."]})
        attrs["identifier"] = identifier
        return attrs


class LogoutSerializer(serializers.Serializer):
    refresh = serializers.CharField(required=False, allow_blank=True, allow_null=True)


# A13-A15 report missing fields themselves ("Missing fields", "Invalid password"...), so every
# field defaults to "" and reaches the service.
class ChangePasswordSerializer(serializers.Serializer):
    current_password = serializers.CharField(default="", allow_blank=True)
    new_password = serializers.CharField(default="", allow_blank=True)
    confirm_password = serializers.CharField(default="", allow_blank=True)


class ChangeUsernameSerializer(serializers.Serializer):
    username = serializers.CharField(default="", allow_blank=True)
    password = serializers.CharField(default="", allow_blank=True)


class DeleteAccountSerializer(serializers.Serializer):
    password = serializers.CharField(default="", allow_blank=True)
    confirmation = serializers.CharField(default="", allow_blank=True)


class UpdateEmailSerializer(serializers.Serializer):
    new_email = serializers.EmailField(max_length=254)
    password = serializers.CharField()


class ConfirmEmailSerializer(serializers.Serializer):
    uid = serializers.CharField()
    token = serializers.CharField()
