"""Throttles counted in the default cache (Redis in production), so limits hold across workers.

Rates come from settings (`THROTTLE_<SCOPE>` in the environment). The client address is the
connection's own unless TRUSTED_PROXY_COUNT proxies are declared (DRF's NUM_PROXIES); the admin
login lockout (django-axes, AXES_CLIENT_IP_CALLABLE) counts by the same `client_address`. When Redis is
down the cache answers every read as a miss (cafa/cache.py), so throttles fail open and the cache's
log line names the throttle's scope.

A throttle that can say, before DRF runs, what it asks of an anonymous request has
`rate_limit_for_anonymous(request)`; the public reads served from the shared cache need every throttle of
their view to have it (cafa/api/http_cache.py).
"""

import ipaddress

from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from cafa.api import shared_cache, tallies


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
    """DRF's sliding log of admitted requests, checked and extended in one cache round trip.

    SimpleRateThrottle reads the log and writes it back (two round trips, and a new redis-py client object
    for each on Django's cache); here one script does both (`shared_cache.check_rate`), atomically on Redis,
    so concurrent requests of one client cannot both take the last slot either. Keys read
    `throttle:<scope>:<ident>:log` (a sorted set): the cache's outage log names the component and scope.
    """

    cache_format = "throttle:%(scope)s:%(ident)s:log"
    rate_verdict = shared_cache.ALLOWED

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        rate_limit = shared_cache.RateLimit(key=key, limit=self.num_requests, window=self.duration, now=self.timer())
        self.rate_verdict = shared_cache.check_rate(rate_limit)
        return self.rate_verdict.allowed

    def wait(self):
        return self.rate_verdict.wait


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
    """`anon` (CONTRACT.md §1.10): anonymous requests per client address, one cache round trip each.

    The log of admitted requests is checked and extended in one call (`shared_cache.check_rate`), and a public
    read answered from the shared cache folds that call into its lookup (cafa/api/http_cache.py): the view
    then carries the verdict as `rate_verdict`, and this throttle reads it instead of asking again. A page
    served from a worker's memory joins the log with the worker's next batch (cafa/api/tallies.py, which
    states the bound), and every check made here tells the batch's keeper when the log is full. Hits and
    misses count toward the one limit; with Redis down every request is admitted.
    """

    scope = "anon"

    def rate_limit_for_anonymous(self, request) -> shared_cache.RateLimit | None:
        """The limit an anonymous `request` is checked against (None: no rate is set)."""
        if self.rate is None:
            return None
        key = self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
        return shared_cache.RateLimit(key=key, limit=self.num_requests, window=self.duration, now=self.timer())

    def allow_request(self, request, view):
        if request.user and request.user.is_authenticated:
            return True
        rate_verdict = getattr(view, "rate_verdict", None)
        if rate_verdict is None:
            rate_limit = self.rate_limit_for_anonymous(request)
            rate_verdict = shared_cache.check_rate(rate_limit) if rate_limit else shared_cache.ALLOWED
            if rate_limit:
                tallies.learn(rate_limit, rate_verdict)  # a full log: pages from memory are checked too
        self.rate_verdict = rate_verdict
        return rate_verdict.allowed


class UserThrottle(UserScopedThrottle):
    scope = "user"

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)

    def rate_limit_for_anonymous(self, request) -> None:
        """Signed-in users only: nothing to check for an anonymous request."""


class LoginThrottle(IPThrottle):
    scope = "login"


class RegisterThrottle(IPThrottle):
    scope = "register"


class AccountEmailThrottle(IPThrottle):
    scope = "account_email"
