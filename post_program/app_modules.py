"""The apps' own modules that the core calls without importing their apps: each local app's
`import_export` (its files), `demo` and `scale` (its part of a program), found by name in
dependency order (settings.LOCAL_APPS)."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterator
from types import ModuleType

from django.conf import settings
from django.core.management.base import CommandError


def app_modules(name: str) -> Iterator[ModuleType]:
    """Each local app's module `name`, for the apps that have one, in dependency order."""
    for app in settings.LOCAL_APPS:
        module_name = f"{app}.{name}"
        if importlib.util.find_spec(module_name):
            yield importlib.import_module(module_name)


def app_seeders(name: str) -> Iterator[ModuleType]:
    """Each local app's module `name` that builds its part of a program with `seed(ctx)`."""
    for module in app_modules(name):
        if not hasattr(module, "seed"):
            raise CommandError(f"{module.__name__} has no seed(ctx) function.")
        yield module
