"""Keep calendar feed tokens out of every log line and every error report: the path of a
person's on-call feed, which the core's redaction (`post_program.logs.secret_paths_add`) masks
wherever a request path is written ("Not Found: /on-call/feed/[redacted]")."""

from __future__ import annotations

import re

FEED_PATH = re.compile(r"(/on-call/feed/)(?!(?:new|revoke)/)[^/\s?#\"']+")
