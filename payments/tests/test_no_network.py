"""The suite cannot reach the outside world: pytest-socket blocks every host but this machine.

192.0.2.1 is TEST-NET-1 (RFC 5737), reserved for documentation: nothing real answers there, and
pytest-socket refuses the connection before a single packet is sent.
"""

import socket

import httpx
import pytest
from pytest_socket import SocketBlockedError, SocketConnectBlockedError

from payments.providers import ProviderError
from payments.providers.paystack import PaystackProvider

OUTSIDE = ("192.0.2.1", 443)
BLOCKED = (SocketBlockedError, SocketConnectBlockedError)

pytestmark = pytest.mark.filterwarnings("ignore:A test tried to use socket:UserWarning")


def test_a_raw_socket_to_an_outside_host_is_refused():
    with pytest.raises(BLOCKED):
        socket.create_connection(OUTSIDE, timeout=1)


def test_an_http_client_cannot_reach_an_outside_host():
    with pytest.raises(BLOCKED), httpx.Client(timeout=1) as client:
        client.get(f"https://{OUTSIDE[0]}/")


def test_an_unstubbed_paystack_client_cannot_reach_paystack():
    provider = PaystackProvider("sk_test_unused", base_url=f"https://{OUTSIDE[0]}", transport=httpx.HTTPTransport())
    try:
        with pytest.raises((*BLOCKED, ProviderError)):
            provider.verify("CAFA-000000000000000000000000")
    finally:
        provider.close()
