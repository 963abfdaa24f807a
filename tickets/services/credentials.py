"""Admission credentials: the signed QR payload and its PNG, made once when a ticket is issued."""


def attach_credentials(tickets) -> None:
    """Give each newly issued ticket its QR payload and image (filled in by the tickets-delivery work)."""
