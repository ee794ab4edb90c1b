# Production image for POST: one image runs the web server, the Celery worker and Celery beat
# (docker-compose.yml picks the command). Build with `docker build -t post .`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=post_program.settings.prod \
    PYTHONPATH=/app

# Shared libraries and a font that WeasyPrint needs to render the PDF reports.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz-subset0 \
        fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# The processes run as an unprivileged user that cannot modify the code or the static files.
# It has a home only so that fontconfig can keep its cache there. The numeric id lets an
# orchestrator check that the container does not run as root.
RUN groupadd --system --gid 10001 post \
    && useradd --system --uid 10001 --gid post --create-home --home-dir /home/post \
        --shell /usr/sbin/nologin post

WORKDIR /app

# Same pins as `make install`, without the dev extras. PYTHONPATH=/app (above) makes every
# process import the apps from this tree, next to templates/ and static/.
COPY . .
RUN pip install -c constraints.txt .

# Collect and fingerprint static files into the image, so WhiteNoise serves them without a
# volume. The prod settings refuse to load without these variables; the values below exist only
# for this one command (nothing connects to the database, Redis or a mail server) and are not
# kept in the image.
RUN SECRET_KEY=build-only-dummy-key-not-used-at-run-time \
    PSEUDONYM_KEY=build-only-dummy-key-not-used-at-run-time \
    MFA_ENCRYPTION_KEY=YnVpbGQtb25seS1kdW1teS1rZXktbm90LXVzZWQtISE= \
    ALLOWED_HOSTS=localhost \
    DATABASE_URL=sqlite:////tmp/collectstatic.sqlite3 \
    REDIS_URL=redis://localhost:6379/0 \
    SITE_URL=https://localhost \
    EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend \
    python manage.py collectstatic --noinput

USER 10001:10001

EXPOSE 8000

CMD ["gunicorn", "post_program.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
