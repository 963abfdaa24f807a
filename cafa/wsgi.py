"""The WSGI entry point (gunicorn). It refuses to load with a configuration error (cafa/startup.py)."""

import os

from django.core.wsgi import get_wsgi_application

from cafa.startup import refuse_misconfiguration

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cafa.settings")
application = get_wsgi_application()
refuse_misconfiguration()
