"""Routes of CONTRACT.md §2 (and their mobile aliases). Literal `users/...` routes come before
djoser's `users/{id}/`."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from accounts import views

router = SimpleRouter()
router.register("users", views.UserViewSet, basename="user")

reset_password = views.UserViewSet.as_view({"post": "reset_password"})
reset_password_confirm = views.UserViewSet.as_view({"post": "reset_password_confirm"})
delete_account = views.DeleteAccountView.as_view()

urlpatterns = [
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
]
