"""gunicorn's settings for POST, read from the working directory at start (the image's /app).

The access log goes to standard output, one line a request, with no referrer and no user agent
(both can identify a person or carry a link), the response's X-Request-ID to find the
application's lines for it, and survey link tokens redacted from the request line.
"""

from gunicorn.glogging import Logger

from surveys.logs import redact

accesslog = "-"
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms %({x-request-id}o)s'


class RedactingLogger(Logger):
    """gunicorn's logger, with survey tokens redacted from every field of an access line."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(v) if isinstance(v, str) else v for key, v in atoms.items()}


logger_class = RedactingLogger
