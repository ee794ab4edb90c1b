"""What closing an account means for the referrals, called by the core by module name
(post_program.app_modules) when an account is deactivated."""

from __future__ import annotations

from post_program.models import PeerSupporter, User

from .services import supporter_referrals_return


def account_deactivated(*, actor: User | None, user: User) -> None:
    """A supporter who can no longer sign in keeps no case: each goes back to the queue."""
    supporter = PeerSupporter.objects.filter(physician__user=user).first()
    if supporter is not None:
        supporter_referrals_return(actor=actor, supporter=supporter)
