"""The ASGI entry point. Like cafa/wsgi.py, it refuses to load with a configuration error."""

import os

from django.core.asgi import get_asgi_application

from cafa.startup import refuse_misconfiguration

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cafa.settings")
application = get_asgi_application()
refuse_misconfiguration()
