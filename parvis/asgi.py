"""ASGI entry point used by `parvis serve` (granian): Django, behind the door that replays kept thread reads."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parvis.settings.prod")
django_application = get_asgi_application()

from parvis.api.kept_reads import KeptThreadReads  # noqa: E402  (needs the settings above)

application = KeptThreadReads(django_application)
