"""Payout routes (CONTRACT.md §10 M7-M9, §11): verification status/retry under both profile prefixes."""

from django.urls import path

from payouts import views


def verification_routes(prefix: str, name: str, *, documented: bool = True) -> list:
    """M7 and M8 under one prefix; the contract serves them under two (the alias stays out of the docs)."""
    hidden = {} if documented else {"schema": None}
    return [
        path(
            f"{prefix}<uuid:profile_id>/verification-status/",
            views.VerificationStatusView.as_view(**hidden),
            name=f"{name}-verification-status",
        ),
        path(
            f"{prefix}<uuid:profile_id>/retry-verification/",
            views.RetryVerificationView.as_view(**hidden),
            name=f"{name}-retry-verification",
        ),
    ]


urlpatterns = [
    *verification_routes("auth/payment-profile/", "payment-profile"),
    *verification_routes("auth/users/payment-profile/", "users-payment-profile", documented=False),
    path("banks/", views.BankListView.as_view(), name="banks"),
    path("organizers/revenue/", views.RevenueView.as_view(), name="organizer-revenue"),
    path("auth/withdrawal/request/", views.WithdrawalRequestView.as_view(), name="withdrawal-request"),
    path("auth/withdrawal/history/", views.WithdrawalHistoryView.as_view(), name="withdrawal-history"),
    path("auth/withdrawal/<str:withdrawal_id>/", views.WithdrawalDetailView.as_view(), name="withdrawal-detail"),
    path("auth/withdrawal/<str:withdrawal_id>/cancel/", views.WithdrawalCancelView.as_view(), name="withdrawal-cancel"),
]
