"""Refuse to serve with a configuration error.

`manage.py` commands (migrate, runserver, check) run Django's system checks themselves; gunicorn
and Celery do not. So the web process (cafa/wsgi.py), the worker and beat (cafa/celery.py) run
the checks tagged STARTUP before they serve, and stop with the checks' own message.
"""

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

STARTUP = "startup"


def refuse_misconfiguration() -> None:
    """Raise ImproperlyConfigured naming every error of the STARTUP checks."""
    errors = [message for message in checks.run_checks(tags=[STARTUP]) if message.is_serious()]
    if errors:
        raise ImproperlyConfigured("Refusing to start:\n" + "\n".join(str(error) for error in errors))
