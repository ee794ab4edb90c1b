"""Keep survey link tokens out of every log line and every error report: the path of an answer
link, which the core's redaction (`post_program.logs.secret_paths_add`) masks wherever a request
path is written ("Not Found: /surveys/answer/[redacted]/")."""

from __future__ import annotations

import re

ANSWER_PATH = re.compile(r"(/surveys/answer/)(?!thanks/)[^/\s?#\"']+")
