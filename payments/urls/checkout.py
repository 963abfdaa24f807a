"""Purchase and payment routes (CONTRACT.md §6 Y1-Y8).

Payment ids only match `PAY-` + 10 hex digits, so the literal segments `payments/initiate/`,
`payments/verify/…`, `payments/webhook/`, `payments/mobile-callback/` and `payments/sandbox/…` never
reach a payment view.
"""

from django.urls import path, re_path

from payments.views import checkout, history, waitlist

PAYMENT = r"(?P<payment_id>PAY-[0-9A-F]{10})"
PURCHASE = r"(?P<purchase_id>PUR-[0-9A-F]{10})"
ENTRY = r"(?P<entry_id>[Ww][Ll]-[0-9A-Fa-f]{10})"

urlpatterns = [
    path("tickets/purchase/", checkout.PurchaseView.as_view(), name="tickets-purchase"),
    re_path(rf"^tickets/purchase/{PURCHASE}/cancel/$", checkout.CancelPurchaseView.as_view(), name="purchase-cancel"),
    path("payments/", history.PaymentHistoryView.as_view(), name="payments-history"),
    path("payments/initiate/", checkout.InitiatePaymentView.as_view(), name="payments-initiate"),
    path("payments/verify/<str:reference>/", history.VerifyPaymentView.as_view(), name="payments-verify"),
    re_path(rf"^payments/{PAYMENT}/$", history.PaymentDetailView.as_view(), name="payment-detail"),
    re_path(rf"^payments/{PAYMENT}/status/$", history.PaymentStatusView.as_view(), name="payment-status"),
    re_path(
        rf"^payments/{PAYMENT}/resend-tickets/$", history.ResendTicketsView.as_view(), name="payment-resend-tickets"
    ),
    re_path(rf"^payments/{PAYMENT}/tickets\.pdf$", history.PaymentTicketsPdfView.as_view(), name="payment-tickets-pdf"),
    # Waiting-list entries whose offer may be paid (CONTRACT.md §17 WL3, WL4)
    re_path(rf"^waitlist/{ENTRY}/$", waitlist.LeaveWaitlistView.as_view(), name="waitlist-entry"),
    re_path(rf"^waitlist/{ENTRY}/accept/$", waitlist.AcceptOfferView.as_view(), name="waitlist-accept"),
]
