"""WSGI entry point of the write-API and read-API (served by granian).

The role comes from DJANGO_SETTINGS_MODULE: config.settings.write or config.settings.read.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.write")

application = get_wsgi_application()
