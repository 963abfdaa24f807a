"""Where the provider sends the buyer back after paying (CONTRACT.md §6.2, callback allow-list)."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse

from payments.exceptions import InvalidCallbackUrl


@dataclass(frozen=True)
class Callback:
    provider_url: str  # handed to the provider
    deep_link: str  # the mobile app's link, stored on the payment ("" for the web)


def mobile_callback_url() -> str:
    return settings.PUBLIC_API_URL + reverse("payments-mobile-callback")


def resolve_callback(url: str | None) -> Callback:
    """The default web page, an allow-listed URL, or a deep link routed through our mobile callback."""
    if not url:
        return Callback(provider_url=f"{settings.FRONTEND_URL}/payment-results", deep_link="")
    parts = urlsplit(url)
    if parts.scheme == settings.MOBILE_DEEP_LINK_SCHEME:
        return Callback(provider_url=mobile_callback_url(), deep_link=url)
    if url.split("?")[0] == mobile_callback_url():
        return Callback(provider_url=url, deep_link="")
    if parts.hostname in _allowed_hosts() and (parts.scheme == "https" or (parts.scheme == "http" and settings.DEBUG)):
        return Callback(provider_url=url, deep_link="")
    raise InvalidCallbackUrl(
        "Use an https URL of the web app, the app's deep link or the API's mobile callback.",
        allowed={
            "deep_link": f"{settings.MOBILE_DEEP_LINK_SCHEME}://",
            "backend_callback": mobile_callback_url(),
            "https_domains": sorted(_allowed_hosts()),
        },
    )


def _allowed_hosts() -> set[str]:
    return {urlsplit(settings.FRONTEND_URL).hostname, *settings.EXTRA_CALLBACK_HOSTS} - {None, ""}


def with_reference(url: str, reference: str) -> str:
    """The callback as the provider calls it: `?trxref=<ref>&reference=<ref>` appended."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}trxref={reference}&reference={reference}"
