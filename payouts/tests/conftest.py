"""The payout tests' events: one "Regular" ticket type at `price`, plenty of stock."""

import pytest


@pytest.fixture
def make_event(make_event):
    """The shared `make_event` with one ticket type: `make_event(days=10, price="50.00", **fields)`."""

    def make(*, days=10, price="50.00", **fields):
        regular = {"name": "Regular", "price": price, "quantity": 400, "max_purchase": 10}
        return make_event(days=days, ticket_types=[regular], **fields)

    return make
