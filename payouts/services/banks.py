"""The bank list of M9 (CONTRACT.md §10.6): the provider's GHS list cached 24 hours, else a static one."""

import logging

from django.core.cache import cache
from django.utils import timezone
from django.utils.text import slugify

from payments import providers
from payments.providers import ProviderError
from payments.providers.ghana_banks import static_banks

logger = logging.getLogger(__name__)

CACHE_SECONDS = 24 * 60 * 60
TYPES = {"bank": "ghipss", "mobile_money": "mobile_money"}
KINDS = ("ghipss", "mobile_money")


# GHIPSS sort codes of the main Ghanaian banks, and the mobile-money networks' codes.
def _cache_key(kind: str) -> str:
    return f"payments:banks:{kind}"


def refresh_bank_list(kind: str) -> dict:
    """Fetch one kind from the provider and cache it for 24 hours. Raises ProviderError."""
    banks = [
        {"name": b["name"], "code": b["code"], "type": kind, "slug": b.get("slug") or slugify(b["name"] or "")}
        for b in providers.get().list_banks(kind)
        if b.get("name") and b.get("code")
    ]
    if not banks:
        raise ProviderError("the provider returned an empty bank list")
    entry = {"results": banks, "cached_at": timezone.now()}
    cache.set(_cache_key(kind), entry, CACHE_SECONDS)
    return entry


def cached_bank_codes(kind: str = "ghipss") -> set[str] | None:
    """The provider's codes of one kind as cached now, or None when no provider list is cached."""
    entry = cache.get(_cache_key(kind))
    return {bank["code"] for bank in entry["results"]} if entry else None


def refresh_all() -> int:
    """The daily job: refresh every kind; an unreachable provider keeps what is cached."""
    if providers.sandbox_enabled():
        return 0
    count = 0
    for kind in KINDS:
        try:
            count += len(refresh_bank_list(kind)["results"])
        except ProviderError as error:
            logger.warning("bank list (%s) refresh failed: %s", kind, error)
    return count


def bank_list(bank_type: str | None = None) -> dict:
    """`{count, results, source, cached_at}` for `bank`, `mobile_money` or both (type None)."""
    kinds = (TYPES[bank_type],) if bank_type else KINDS
    if not providers.sandbox_enabled():
        try:
            entries = [cache.get(_cache_key(kind)) or refresh_bank_list(kind) for kind in kinds]
        except ProviderError as error:
            logger.warning("bank list unavailable from the provider, static list served: %s", error)
        else:
            results = [bank for entry in entries for bank in entry["results"]]
            cached_at = min(entry["cached_at"] for entry in entries)
            return {"count": len(results), "results": results, "source": "provider", "cached_at": cached_at}
    results = [bank for kind in kinds for bank in static_banks(kind)]
    return {"count": len(results), "results": results, "source": "static", "cached_at": None}
