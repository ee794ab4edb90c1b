from django.apps import AppConfig


class PostProgramConfig(AppConfig):
    name = "post_program"
    verbose_name = "Program"
