"""The WSGI application a server such as gunicorn runs.

Without DJANGO_SETTINGS_MODULE it loads the production settings: a server started with no
settings named must not come up as the development site (debug pages, a published SECRET_KEY,
mail printed instead of sent, jobs in the request); production refuses to start until its
secrets are set, which says what is missing. `manage.py` (runserver, the demo) defaults to the
development settings before this module is imported, and the tests name theirs.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "post_program.settings.prod")

application = get_wsgi_application()
