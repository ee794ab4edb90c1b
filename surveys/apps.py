from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = "Surveys"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from post_program.logs import secret_paths_add

        from . import logs
        from .services.answer_counts import answer_counts_after_migrate

        secret_paths_add(logs.ANSWER_PATH)
        post_migrate.connect(answer_counts_after_migrate, sender=self)
