"""Encrypt the secrets of the authenticators set up while they were stored in clear.

From here on allauth stores them through post_program.mfa_secrets.MFAAdapter, encrypted with
MFA_ENCRYPTION_KEY; this encrypts the TOTP keys and recovery-code seeds already in the table
with that key (set it before migrating, and keep it). Secrets already encrypted are left as they
are. Migrating back stores them in clear again.
"""

from django.db import migrations

from post_program.mfa_secrets import authenticators_decrypt, authenticators_encrypt


def encrypt(apps, schema_editor):
    authenticators_encrypt(apps.get_model("mfa", "Authenticator").objects.all())


def decrypt(apps, schema_editor):
    authenticators_decrypt(apps.get_model("mfa", "Authenticator").objects.all())


class Migration(migrations.Migration):
    dependencies = [
        ("post_program", "0004_audit_actor_forget"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt, decrypt, elidable=False)]
