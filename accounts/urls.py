"""Routes of CONTRACT.md §2 (and their mobile aliases). Literal `users/...` routes come before
djoser's `users/{id}/`."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from accounts.views import account as views
from accounts.views import outreach, payment_profiles, verification

router = SimpleRouter()
router.register("users", views.UserViewSet, basename="user")

reset_password = views.UserViewSet.as_view({"post": "reset_password"})
reset_password_confirm = views.UserViewSet.as_view({"post": "reset_password_confirm"})
delete_account = views.DeleteAccountView.as_view()


def payment_profile_routes(prefix: str, name: str, *, documented: bool = True) -> list:
    """M1-M6 under one prefix; the contract serves them under two (the alias stays out of the docs)."""
    hidden = {} if documented else {"schema": None}
    return [
        path(prefix, payment_profiles.PaymentProfileListView.as_view(**hidden), name=f"{name}-list"),
        path(
            f"{prefix}<uuid:profile_id>/",
            payment_profiles.PaymentProfileDetailView.as_view(**hidden),
            name=f"{name}-detail",
        ),
        path(
            f"{prefix}<uuid:profile_id>/set-default/",
            payment_profiles.SetDefaultPaymentProfileView.as_view(**hidden),
            name=f"{name}-set-default",
        ),
    ]


urlpatterns = [
    path("auth/verification/status/", verification.VerificationStatusView.as_view(), name="verification-status"),
    path("auth/verification/upload-id/", verification.UploadIdDocumentView.as_view(), name="verification-upload-id"),
    path(
        "auth/verification/upload-selfie/",
        verification.UploadSelfieView.as_view(),
        name="verification-upload-selfie",
    ),
    path("auth/verification/retry/", verification.RetryVerificationView.as_view(), name="verification-retry"),
    path("auth/verification/files/<str:kind>/", verification.VerificationFileView.as_view(), name="verification-file"),
    *payment_profile_routes("auth/payment-profile/", "payment-profile"),
    *payment_profile_routes("auth/users/payment-profile/", "users-payment-profile", documented=False),
    path("auth/login/", views.LoginView.as_view(), name="login"),
    path("auth/jwt/create/", views.TokenCreateView.as_view(), name="jwt-create"),
    path("auth/jwt/refresh/", views.TokenRefreshView.as_view(), name="jwt-refresh"),
    path("auth/jwt/verify/", views.TokenVerifyView.as_view(), name="jwt-verify"),
    path("auth/logout/", views.LogoutView.as_view(), name="logout"),
    path("auth/password/reset/", reset_password, name="password-reset"),
    path("auth/password/reset/confirm/", reset_password_confirm, name="password-reset-confirm"),
    path("auth/profile/", views.ProfileView.as_view(), name="profile"),
    path("auth/settings/", views.SettingsView.as_view(), name="settings"),
    path("auth/change-password/", views.ChangePasswordView.as_view(), name="change-password"),
    path("auth/change-username/", views.ChangeUsernameView.as_view(), name="change-username"),
    path("auth/delete/", delete_account, name="delete-account"),
    path("auth/delete-account/", delete_account, name="delete-account-mobile"),
    path("auth/update-email/", views.UpdateEmailView.as_view(), name="update-email"),
    path("auth/update-email/confirm/", views.ConfirmEmailView.as_view(), name="update-email-confirm"),
    path("auth/", include(router.urls)),
    path("contact/", outreach.ContactView.as_view(), name="contact"),
    path("newsletter/subscribe/", outreach.NewsletterSubscribeView.as_view(), name="newsletter-subscribe"),
    path("newsletter/unsubscribe/", outreach.NewsletterUnsubscribeView.as_view(), name="newsletter-unsubscribe"),
]
