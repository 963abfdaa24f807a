"""Payout routes (CONTRACT.md §10 M7-M9, §11); filled by the payouts work."""

urlpatterns = []
