"""The callback allow-list (CONTRACT.md §6.2) judged as a browser reads a URL, not as Python does.

Each refused URL below would take a browser (or a WebView) somewhere other than the host that
Python's `urlsplit` reports, or hides something in the URL a reviewer would not expect there.
"""

import pytest

from payments.exceptions import InvalidCallbackUrl
from payments.models import Payment
from payments.services.callbacks import resolve_callback
from tickets.models import Purchase

pytestmark = pytest.mark.django_db

URL = "/api/v1/payments/initiate/"
API = "http://127.0.0.1:8000"
MOBILE_CALLBACK = f"{API}/api/v1/payments/mobile-callback/"


@pytest.fixture(autouse=True)
def _hosts(settings):
    settings.FRONTEND_URL = "https://app.cafa.example"
    settings.EXTRA_CALLBACK_HOSTS = ["localhost", "partner.cafa.example:8443"]
    settings.PUBLIC_API_URL = API
    settings.MOBILE_DEEP_LINK_SCHEME = "cafatickets"
    settings.DEBUG = False


ATTACKS = {
    # the report: Python reads the host after "@", a browser reads "\" as "/" and goes to evil.example
    "backslash before @": "https://evil.example\\@localhost/done",
    "backslash as a slash": "https://localhost\\.evil.example/done",
    "backslashes after the scheme": "https:\\\\evil.example/done",
    "user-info": "https://evil.example@localhost/done",
    "user-info with password": "https://user:pass@app.cafa.example/done",
    "empty user-info": "https://@app.cafa.example/done",
    "encoded @ in user-info": "https://evil.example%40@localhost/done",
    # browsers drop tabs and newlines anywhere in a URL
    "tab in the host": "https://evil.exa\tmple@localhost/done",
    "newline in the host": "https://app.cafa.example\n.evil.example/done",
    "carriage return": "https://app.cafa.example/done\r\nLocation: https://evil.example",
    "null byte": "https://app.cafa.example\x00.evil.example/done",
    "leading space": " https://evil.example/done",
    "space inside": "https://app.cafa.example /done",
    "escape character": "https://app.cafa.example\x1b/done",
    "delete character": "https://app.cafa.example\x7f/done",
    # a browser decodes percent-escapes in a host; Python does not
    "percent-encoded dot": "https://app.cafa.example%2eevil.example/done",
    "percent-encoded host": "https://%61pp.cafa.example/done",
    "percent-encoded slash": "https://evil.example%2f@app.cafa.example/done",
    # look-alikes that a browser maps to ASCII, or that only look allowed
    "full-width host": "https://\uff41\uff50\uff50.cafa.example/done",
    "ideographic full stop": "https://evil.example\u3002app.cafa.example/done",
    "Cyrillic a": "https://\u0430pp.cafa.example/done",
    "trailing dot": "https://app.cafa.example./done",
    "suffix of an allowed host": "https://app.cafa.example.evil.example/done",
    "allowed host as a subdomain label": "https://evilapp.cafa.example/done",
    "hex IPv4": "https://0x7f.1/done",
    # scheme and authority tricks
    "scheme-relative": "//evil.example/done",
    "three slashes": "https:///evil.example/done",
    "one slash": "https:/evil.example/done",
    "no slash": "https:evil.example/done",
    "javascript": "javascript:alert(document.cookie)",
    "data": "data:text/html,<script>alert(1)</script>",
    "plain http outside debug": "http://app.cafa.example/done",
    "ftp": "ftp://app.cafa.example/done",
    # ports: the allow-list names origins, and a port is part of one
    "another port": "https://app.cafa.example:8443/done",
    "another port of an extra host": "https://partner.cafa.example/done",
    "port out of range": "https://app.cafa.example:99999/done",
    "port not a number": "https://app.cafa.example:80a/done",
    # a foreign host, and the mobile callback on another host or with a fragment
    "foreign host": "https://evil.example.net/x",
    "mobile callback path elsewhere": "https://evil.example/api/v1/payments/mobile-callback/",
    "mobile callback with a fragment": f"{MOBILE_CALLBACK}#x",
    "deep link with user-info": "cafatickets://evil@payment-result",
    "deep link with a newline": "cafatickets://payment-result\n",
}

ACCEPTED = {
    "the web app": ("https://app.cafa.example/payment-results", "https://app.cafa.example/payment-results", ""),
    "the web app with a query": ("https://app.cafa.example/p?next=/x", "https://app.cafa.example/p?next=/x", ""),
    "upper-case host and scheme": ("HTTPS://APP.Cafa.Example/done", "https://app.cafa.example/done", ""),
    "explicit default port": ("https://app.cafa.example:443/done", "https://app.cafa.example/done", ""),
    "an extra host": ("https://localhost/done", "https://localhost/done", ""),
    "an extra host on its port": (
        "https://partner.cafa.example:8443/back",
        "https://partner.cafa.example:8443/back",
        "",
    ),
    "the deep link": ("cafatickets://payment-result", MOBILE_CALLBACK, "cafatickets://payment-result"),
    "a deep link with a query": (
        "cafatickets://payment-result?from=checkout",
        MOBILE_CALLBACK,
        "cafatickets://payment-result?from=checkout",
    ),
    "the mobile callback": (MOBILE_CALLBACK, MOBILE_CALLBACK, ""),
    "the mobile callback with a query": (f"{MOBILE_CALLBACK}?app=1", f"{MOBILE_CALLBACK}?app=1", ""),
}


@pytest.mark.parametrize("url", ATTACKS.values(), ids=ATTACKS.keys())
def test_a_url_a_browser_could_read_as_another_host_is_refused(url):
    with pytest.raises(InvalidCallbackUrl):
        resolve_callback(url)


@pytest.mark.parametrize(("url", "provider_url", "deep_link"), ACCEPTED.values(), ids=ACCEPTED.keys())
def test_the_allowed_destinations_still_pass(url, provider_url, deep_link):
    callback = resolve_callback(url)
    assert (callback.provider_url, callback.deep_link) == (provider_url, deep_link)


def test_plain_http_to_the_web_app_is_allowed_in_debug(settings):
    settings.DEBUG = True
    assert resolve_callback("http://app.cafa.example/done").provider_url == "http://app.cafa.example/done"


def test_the_frontend_port_is_the_allowed_one(settings):
    settings.FRONTEND_URL = "http://localhost:5173"
    settings.EXTRA_CALLBACK_HOSTS = []
    assert resolve_callback("https://localhost:5173/payment-results").provider_url.endswith(":5173/payment-results")
    with pytest.raises(InvalidCallbackUrl):
        resolve_callback("https://localhost:3000/payment-results")


def test_no_callback_means_the_web_results_page():
    assert resolve_callback(None).provider_url == "https://app.cafa.example/payment-results"


def test_the_reported_bypass_is_refused_by_the_api_and_reserves_nothing(buyer_client, event, paid_type):
    body = {"event_slug": event.slug, "ticket_type_id": paid_type.pk, "callback_url": ATTACKS["backslash before @"]}
    response = buyer_client.post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_callback_url"
    assert response.json()["allowed"]["https_domains"] == ["app.cafa.example", "localhost", "partner.cafa.example"]
    assert not Purchase.objects.exists() and not Payment.objects.exists()


def test_an_accepted_callback_is_stored_as_a_browser_reads_it(buyer_client, event, paid_type):
    body = {"event_slug": event.slug, "ticket_type_id": paid_type.pk, "callback_url": "HTTPS://App.Cafa.Example/done"}
    response = buyer_client.post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["effective_callback_url"] == "https://app.cafa.example/done"
    assert Payment.objects.get().callback_url == "https://app.cafa.example/done"
