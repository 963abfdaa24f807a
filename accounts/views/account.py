"""HTTP endpoints of CONTRACT.md §2: parse, call a service, serialize."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from djoser import views as djoser_views
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.decorators import action
from rest_framework.exceptions import AuthenticationFailed, NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework_simplejwt import views as jwt_views
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

from accounts.serializers import account as serializers
from accounts.services import account as services
from cafa.api.throttling import AccountEmailThrottle, LoginThrottle, RegisterThrottle


def _validated(serializer_class, request, **kwargs):
    serializer = serializer_class(data=request.data, context={"request": request}, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class UserViewSet(djoser_views.UserViewSet):
    """djoser's users/ endpoints, with our throttles, activation and account deletion."""

    queryset = get_user_model().objects.order_by("pk")  # a stable page order for staff listings

    action_throttles = {
        "create": [RegisterThrottle],
        "resend_activation": [AccountEmailThrottle],
        "reset_password": [AccountEmailThrottle],
    }

    # Not in the contract, unthrottled and unconfigured (they answered 500): no routes.
    reset_username = None
    reset_username_confirm = None

    def get_throttles(self):
        extra = [throttle() for throttle in self.action_throttles.get(self.action, [])]
        return [*super().get_throttles(), *extra]

    def permission_denied(self, request, **kwargs):
        # djoser hides other users on read/update only; deleting one must not reveal it either.
        if request.user.is_authenticated and self.action == "destroy":
            raise NotFound()
        super().permission_denied(request, **kwargs)

    def update(self, request, *args, **kwargs):
        kwargs["partial"] = True  # PUT is partial too (CONTRACT §2.7)
        return super().update(request, *args, **kwargs)

    @action(["post"], detail=False)
    def activation(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.activate_account(user=serializer.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(["post"], detail=False)
    def reset_password_confirm(self, request, *args, **kwargs):
        """A10 (and its mobile alias): djoser's checks, then the reset that also signs every session out."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.reset_password(user=serializer.user, new_password=serializer.validated_data["new_password"])
        return Response(status=status.HTTP_204_NO_CONTENT)

    def destroy(self, request, *args, **kwargs):
        """A17 DELETE: djoser's password check, then the A15 rules. (djoser's own destroy would log out
        through DRF's authtoken, which this project does not install; JWTs are revoked by the service.)"""
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data)
        serializer.is_valid(raise_exception=True)
        services.anonymise_account(user=instance)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LoginView(generics.GenericAPIView):
    """A4: e-mail or username + password -> the user and a token pair."""

    serializer_class = serializers.LoginSerializer
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [LoginThrottle]

    def post(self, request):
        data = _validated(self.serializer_class, request)
        user = services.authenticate_credentials(identifier=data["email"], password=data["password"])
        tokens = services.issue_tokens(user=user)
        user_data = serializers.UserSerializer(user, context={"request": request}).data
        return Response({"message": "Login successful", "user": user_data, "tokens": tokens})


class TokenCreateView(generics.GenericAPIView):
    """A5: the same credentials as A4, answering a bare token pair."""

    serializer_class = serializers.TokenCreateSerializer
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [LoginThrottle]

    def post(self, request):
        data = _validated(self.serializer_class, request)
        user = services.authenticate_credentials(identifier=data["identifier"], password=data["password"])
        return Response(services.issue_tokens(user=user))


class _UniformTokenErrors:
    """Every refused token answers the same 401, whatever simplejwt's reason (including a token
    whose account was deactivated or removed: simplejwt's refresh raises DoesNotExist for the latter)."""

    authentication_classes = []

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except (TokenError, InvalidToken, AuthenticationFailed, ObjectDoesNotExist):
            raise InvalidToken("Token is invalid or expired") from None


class TokenRefreshView(_UniformTokenErrors, jwt_views.TokenRefreshView):
    """A6."""


class TokenVerifyView(_UniformTokenErrors, jwt_views.TokenVerifyView):
    """A7."""


class LogoutView(generics.GenericAPIView):
    """A8: blacklist the refresh token if it is valid; always 200."""

    serializer_class = serializers.LogoutSerializer
    permission_classes = [AllowAny]
    authentication_classes = []

    def post(self, request):
        refresh = request.data.get("refresh") if isinstance(request.data, dict) else None
        services.logout(refresh=refresh if isinstance(refresh, str) else None)
        return Response({"message": "Logged out successfully"})


class ProfileView(generics.GenericAPIView):
    """A11: read and (partially) update the caller's profile."""

    serializer_class = serializers.UserSerializer

    def get(self, request):
        return Response(self.get_serializer(request.user).data)

    def patch(self, request):
        serializer = self.get_serializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = serializer.save()
        user_data = self.get_serializer(user).data
        return Response({"message": "Profile updated successfully", "user": user_data})

    put = patch


class SettingsView(generics.GenericAPIView):
    """A12: notification settings."""

    serializer_class = serializers.NotificationSettingsSerializer

    def get(self, request):
        return Response({"settings": request.user.notification_settings})

    def patch(self, request):
        changes = _validated(self.serializer_class, request)
        updated = services.update_settings(user=request.user, **changes)
        return Response({"message": "Settings updated successfully", "settings": updated})

    put = patch


class ChangePasswordView(generics.GenericAPIView):
    """A13."""

    serializer_class = serializers.ChangePasswordSerializer

    def post(self, request):
        services.change_password(user=request.user, **_validated(self.serializer_class, request))
        return Response({"message": "Password changed successfully"})


class ChangeUsernameView(generics.GenericAPIView):
    """A14."""

    serializer_class = serializers.ChangeUsernameSerializer

    def post(self, request):
        username = services.change_username(user=request.user, **_validated(self.serializer_class, request))
        return Response({"message": "Username changed successfully", "username": username})


class DeleteAccountView(generics.GenericAPIView):
    """A15: deactivate and anonymise the caller's account."""

    serializer_class = serializers.DeleteAccountSerializer

    @extend_schema(request=serializers.DeleteAccountSerializer)
    def delete(self, request):
        services.delete_account(user=request.user, **_validated(self.serializer_class, request))
        return Response({"message": "Account deleted successfully"})


class UpdateEmailView(generics.GenericAPIView):
    """A16: start an e-mail change; the address changes only when the link is opened."""

    serializer_class = serializers.UpdateEmailSerializer
    throttle_classes = [AccountEmailThrottle]

    def post(self, request):
        data = _validated(self.serializer_class, request)
        change = services.request_email_change(user=request.user, **data)
        message = f"We sent a confirmation link to {change.new_email}. Your address changes when you open it."
        return Response({"message": message})


class ConfirmEmailView(generics.GenericAPIView):
    """A16 confirm: apply the change named by the link's uid and token."""

    serializer_class = serializers.ConfirmEmailSerializer
    permission_classes = [AllowAny]
    authentication_classes = []

    def post(self, request):
        user = services.confirm_email_change(**_validated(self.serializer_class, request))
        return Response({"message": "Email address updated", "email": user.email})
