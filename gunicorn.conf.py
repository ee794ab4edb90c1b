"""gunicorn's settings for POST, read from the working directory at start (the image's /app).

The access log goes to standard output, one line a request, with no referrer and no user agent
(both can identify a person or carry a link), the response's X-Request-ID to find the
application's lines for it, and the secrets of link paths (survey and calendar feed tokens)
redacted from the request line.
"""

from gunicorn.glogging import Logger

from interactions.logs import FEED_PATH
from post_program.logs import redact, secret_paths_add
from surveys.logs import ANSWER_PATH

secret_paths_add(ANSWER_PATH, FEED_PATH)

accesslog = "-"
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms %({x-request-id}o)s'


class RedactingLogger(Logger):
    """gunicorn's logger, with link secrets redacted from every field of an access line."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(v) if isinstance(v, str) else v for key, v in atoms.items()}


logger_class = RedactingLogger
