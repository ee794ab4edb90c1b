"""The ASGI application an asynchronous server runs; like post_program.wsgi (which says why), it
loads the production settings when DJANGO_SETTINGS_MODULE is not set."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "post_program.settings.prod")

application = get_asgi_application()
