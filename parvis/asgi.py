"""ASGI entry point used by `parvis serve` (granian): Django, behind the doors that replay kept thread reads and
write live update streams."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parvis.settings.prod")
django_application = get_asgi_application()

from parvis.api.kept_reads import KeptThreadReads  # noqa: E402  (needs the settings above)
from parvis.api.live_door import LiveStreams  # noqa: E402

application = LiveStreams(KeptThreadReads(django_application))
