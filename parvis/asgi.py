"""ASGI entry point used by `parvis serve` (granian)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parvis.settings.prod")
application = get_asgi_application()
