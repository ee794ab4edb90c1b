from django.apps import AppConfig


class PostProgramConfig(AppConfig):
    name = "post_program"
    verbose_name = "Program"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from . import checks  # noqa: F401 (registers the system checks)
        from .middleware import session_lifetime_start

        user_logged_in.connect(session_lifetime_start, dispatch_uid="post_session_lifetime")
