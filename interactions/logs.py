"""Keep the tokens in link paths out of every log line and every error report: a person's
on-call feed and the reply link of an urgent page, which the core's redaction
(`post_program.logs.secret_paths_add`) masks wherever a request path is written ("Not Found:
/on-call/feed/[redacted]")."""

from __future__ import annotations

import re

FEED_PATH = re.compile(r"(/on-call/feed/)(?!(?:new|revoke)/)[^/\s?#\"']+")
PAGE_PATH = re.compile(r"(/referrals/page/)[^/\s?#\"']+")
