"""Django's makemessages, set up for the project's one catalog (locale/): only the project's own
sources, locations by file (no change when lines move), no obsolete entries, and never a fuzzy
guess for a new message (msgfmt --statistics must show none; a person translates each)."""

from django.core.management.commands import makemessages

IGNORED = ["node_modules/*", "tests/*", "benchmarks/*", "bench/*", "docs/*", "staticfiles/*"]


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]

    def handle(self, *args, **options):
        options["ignore_patterns"] = [*options.get("ignore_patterns", []), *IGNORED]
        options["add_location"] = options.get("add_location") or "file"
        options["no_obsolete"] = True
        return super().handle(*args, **options)
