"""Create or revoke the bearer token an identity provider provisions accounts with (SCIM,
docs/scim.md), as a director:

    manage.py scim_token create NAME --director EMAIL
    manage.py scim_token revoke ID --director EMAIL
    manage.py scim_token list

`create` prints the token once: only its digest is kept. Each change is audited with the
director as its actor.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from post_program.access import can_manage_scim_clients
from post_program.models import ScimClient, User
from post_program.provisioning import scim_client_create, scim_client_revoke


def _director(email: str) -> User:
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None or not can_manage_scim_clients(user):
        raise CommandError(f"{email} is not a director; nothing was changed.")
    return user


class Command(BaseCommand):
    help = "Create, revoke or list the SCIM bearer tokens of identity providers."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="A new token (printed once).")
        create.add_argument("name", help="Which identity provider will use it, e.g. Okta.")
        create.add_argument("--director", required=True, help="The director's email.")
        revoke = actions.add_parser("revoke", help="Revoke a token by its ID.")
        revoke.add_argument("id", type=int)
        revoke.add_argument("--director", required=True, help="The director's email.")
        actions.add_parser("list", help="The tokens, without their secret.")

    def handle(self, *args, action: str, **options):
        if action == "list":
            for client in ScimClient.objects.all():
                state = f"revoked {client.revoked_at:%Y-%m-%d}" if client.revoked_at else "usable"
                self.stdout.write(
                    f"{client.pk}\t{client.name}\t{client.created_at:%Y-%m-%d}\t{state}"
                )
            return
        director = _director(options["director"])
        if action == "create":
            name = options["name"].strip()
            try:
                ScimClient._meta.get_field("name").clean(name, None)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages) + " Nothing was changed.") from error
            client, token = scim_client_create(actor=director, name=name)
            self.stdout.write(f"SCIM token {client.pk} for {client.name} (shown once):\n{token}")
            return
        revoked = ScimClient.objects.filter(pk=options["id"]).first()
        if revoked is None:
            raise CommandError(f"No SCIM token {options['id']}; nothing was changed.")
        scim_client_revoke(actor=director, client=revoked)
        self.stdout.write(f"SCIM token {revoked.pk} ({revoked.name}) is revoked.")
