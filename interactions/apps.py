from django.apps import AppConfig


class InteractionsConfig(AppConfig):
    name = "interactions"
    verbose_name = "Referrals and interactions"
    # The audit page shows no requester (post_program.access.audit_actions_with_hidden_actor).
    audit_actor_hidden = ("referral.request", "referral.request_again")
