from django.apps import AppConfig


class InteractionsConfig(AppConfig):
    name = "interactions"
    verbose_name = "Referrals and interactions"
    # The audit page shows no requester (post_program.access.audit_actions_with_hidden_actor).
    audit_actor_hidden = ("referral.request", "referral.request_again")

    def ready(self) -> None:
        from django.db.models import signals

        from post_program import program_settings
        from post_program.logs import secret_paths_add

        from .logs import FEED_PATH, PAGE_PATH
        from .services import rollup
        from .services.retention import retention_setting_problems

        program_settings.check_register(retention_setting_problems)
        secret_paths_add(FEED_PATH, PAGE_PATH)

        # Every ORM write of a counted row keeps the monthly rollups in step.
        for model in rollup.ROLLUPS:
            uid = f"rollup-{model._meta.label}"
            signals.pre_save.connect(rollup.before_save, sender=model, dispatch_uid=uid)
            signals.post_save.connect(rollup.after_save, sender=model, dispatch_uid=uid)
            signals.post_delete.connect(rollup.after_delete, sender=model, dispatch_uid=uid)
        signals.post_migrate.connect(rollup.rollup_build_after_migrate, sender=self)
