"""Throttles counted in the default cache (Redis in production), so limits hold across workers.

Rates come from settings (`THROTTLE_<SCOPE>` in the environment). The client address is the
connection's own unless TRUSTED_PROXY_COUNT proxies are declared (DRF's NUM_PROXIES); the admin
login lockout (django-axes, AXES_CLIENT_IP_CALLABLE) counts by the same `client_address`. When Redis is
down the cache answers every read as a miss (cafa/cache.py), so throttles fail open and the cache's
log line names the throttle's scope.
"""

import ipaddress

from rest_framework.throttling import BaseThrottle, SimpleRateThrottle


def client_address(request) -> str:
    """The client's address by DRF's NUM_PROXIES rule (X-Forwarded-For read from the right, only as
    far as TRUSTED_PROXY_COUNT proxies vouch for it); the connection's own when that is no address."""
    address = BaseThrottle().get_ident(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return request.META.get("REMOTE_ADDR", "")


class ClientAddressMixin:
    def get_ident(self, request):
        return client_address(request)


class ScopedThrottle(ClientAddressMixin, SimpleRateThrottle):
    """Keys read `throttle:<scope>:<ident>`: the cache's outage log names the component and scope."""

    cache_format = "throttle:%(scope)s:%(ident)s"


class IPThrottle(ScopedThrottle):
    """Counts requests per client address for the subclass's scope."""

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class UserScopedThrottle(ScopedThrottle):
    """Counts requests per authenticated user (per address for anonymous callers)."""

    def get_cache_key(self, request, view):
        user = request.user
        ident = f"user-{user.pk}" if user and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AnonThrottle(IPThrottle):
    scope = "anon"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return super().get_cache_key(request, view)


class UserThrottle(UserScopedThrottle):
    scope = "user"

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)


class LoginThrottle(IPThrottle):
    scope = "login"


class RegisterThrottle(IPThrottle):
    scope = "register"


class AccountEmailThrottle(IPThrottle):
    scope = "account_email"
