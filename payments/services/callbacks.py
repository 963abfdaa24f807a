"""Where the provider sends the buyer back after paying (CONTRACT.md §6.2, callback allow-list).

A callback URL is judged by where a browser would really go. Browsers parse URLs the WHATWG way:
they drop tabs and newlines, read `\\` as `/`, decode percent-escapes and map Unicode in host
names, and take whatever precedes `@` as user-info. Python's `urlsplit` does none of that, so
`https://evil.example\\@localhost/done` looked like `localhost` to it and leads a browser to
`evil.example`. So a URL is accepted only when it is plain printable ASCII without backslash or
user-info, and a WHATWG parser (ada-url, the parser of Node.js) and Python's agree on its scheme,
host and port; the allow-list is then checked against that one reading, port included.
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

import ada_url
from django.conf import settings
from django.urls import reverse

from payments.exceptions import InvalidCallbackUrl

# Printable ASCII except space: no control character, whitespace or non-ASCII look-alike.
_PLAIN_URL = re.compile(r"[!-~]+")


@dataclass(frozen=True)
class Callback:
    provider_url: str  # handed to the provider
    deep_link: str  # the mobile app's link, stored on the payment ("" for the web)


@dataclass(frozen=True)
class _Reading:
    """A URL as a browser reads it: `scheme` without its colon, `port` "" for the scheme's default."""

    href: str
    scheme: str
    host: str
    port: str

    @property
    def origin(self) -> tuple[str, str]:
        return self.host, self.port


def mobile_callback_url() -> str:
    """This API's own `payments/mobile-callback/`, written as a WHATWG parser writes it."""
    return _mobile_callback_url(settings.PUBLIC_API_URL, settings.ROOT_URLCONF)


@lru_cache(maxsize=8)
def _mobile_callback_url(public_api_url: str, urlconf: str) -> str:
    # Every Y2 answer asks; parsed once per configuration, not once per request.
    return ada_url.URL(public_api_url + reverse("payments-mobile-callback", urlconf=urlconf)).href


def resolve_callback(url: str | None) -> Callback:
    """The default web page, an allow-listed URL, or a deep link routed through our mobile callback."""
    if not url:
        return Callback(provider_url=f"{settings.FRONTEND_URL}/payment-results", deep_link="")
    reading = _read(url)
    if reading is None:
        raise _refusal()
    if reading.scheme == settings.MOBILE_DEEP_LINK_SCHEME.lower():
        return Callback(provider_url=mobile_callback_url(), deep_link=reading.href)
    if _is_mobile_callback(reading):
        return Callback(provider_url=reading.href, deep_link="")
    if reading.origin in _allowed_origins() and _web_scheme_allowed(reading.scheme):
        return Callback(provider_url=reading.href, deep_link="")
    raise _refusal()


def _read(url: str) -> _Reading | None:
    """The one reading of `url` that a browser and Python share, or None when it is ambiguous."""
    if not _PLAIN_URL.fullmatch(url) or "\\" in url:
        return None
    try:
        whatwg = ada_url.URL(url)
        python = urlsplit(url)
        python_port = python.port  # raises ValueError on a malformed port
    except ValueError:
        return None
    if whatwg.username or whatwg.password or "@" in python.netloc or "%" in python.netloc:
        return None
    reading = _Reading(
        href=whatwg.href, scheme=whatwg.protocol.removesuffix(":"), host=whatwg.hostname, port=whatwg.port
    )
    python_reading = (python.scheme, python.hostname or "", python_port)
    if python_reading != (reading.scheme, reading.host, _explicit_port(reading, python_port)):
        return None
    return reading


def _explicit_port(reading: _Reading, python_port: int | None) -> int | None:
    """The port as Python reports it: WHATWG drops a port equal to the scheme's default, Python keeps it."""
    if reading.port:
        return int(reading.port)
    return python_port if python_port == _DEFAULT_PORTS.get(reading.scheme) else None


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_mobile_callback(reading: _Reading) -> bool:
    # A fragment would swallow the `?reference=` the provider appends.
    return reading.href.split("?")[0] == mobile_callback_url() and "#" not in reading.href


def _web_scheme_allowed(scheme: str) -> bool:
    return scheme == "https" or (scheme == "http" and settings.DEBUG)


def _allowed_origins() -> frozenset[tuple[str, str]]:
    """(host, port) pairs of FRONTEND_URL and of EXTRA_CALLBACK_HOSTS (`host` or `host:port`)."""
    return _origins(settings.FRONTEND_URL, tuple(settings.EXTRA_CALLBACK_HOSTS))


@lru_cache(maxsize=8)
def _origins(frontend_url: str, extra_hosts: tuple[str, ...]) -> frozenset[tuple[str, str]]:
    origins = set()
    for candidate in (frontend_url, *(f"https://{host}" for host in extra_hosts)):
        try:
            url = ada_url.URL(candidate)
        except ValueError:
            continue
        if url.hostname:
            origins.add((url.hostname, url.port))
    return frozenset(origins)


def _refusal() -> InvalidCallbackUrl:
    return InvalidCallbackUrl(
        "Use an https URL of the web app, the app's deep link or the API's mobile callback.",
        allowed={
            "deep_link": f"{settings.MOBILE_DEEP_LINK_SCHEME}://",
            "backend_callback": mobile_callback_url(),
            "https_domains": sorted({host for host, _port in _allowed_origins()}),
        },
    )


def with_reference(url: str, reference: str) -> str:
    """The callback as the provider calls it: `?trxref=<ref>&reference=<ref>` appended."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}trxref={reference}&reference={reference}"
