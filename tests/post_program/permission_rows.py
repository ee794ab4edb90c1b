from post_program.models import ImportJob, ScimClient
from tests.permission_table import Row, everyone, only


def _scim_client(cast) -> int:
    client, _ = ScimClient.objects.get_or_create(name="Okta", token_digest="0" * 64)
    return client.pk


def _job(cast) -> int:
    job, _ = ImportJob.objects.get_or_create(created_by=cast.director, status="rejected")
    return job.pk


ROWS = [
    Row("home", everyone(302)),
    Row("home_physician", only("supporter_a", "supporter_b", "physician")),
    Row("roster_list", only("director", "coordinator", "lead")),
    Row("import_start", only("director")),
    Row("import_start", only("director"), method="post"),  # an empty upload: the form again
    Row("import_detail", only("director", others=404), kwargs=lambda cast: {"pk": _job(cast)}),
    Row(
        "import_confirm",
        only("director", ok=302, others=404),
        kwargs=lambda cast: {"pk": _job(cast)},
        method="post",
    ),
    Row("import_confirm", everyone(405), kwargs=lambda cast: {"pk": _job(cast)}),
    Row("program_settings", only("director")),
    Row("program_settings", only("director", ok=400), method="post"),  # empty: the form again
    Row("audit_list", only("director")),
    Row("audit_export", only("director")),
    Row("help_now", everyone(200, anonymous=200)),
    Row("healthz", everyone(200, anonymous=200)),
    Row("readyz", everyone(200, anonymous=200)),
    # Anyone may choose the language of the pages, signed in or not; it only takes a POST.
    Row(
        "language_set",
        everyone(302, anonymous=302),
        method="post",
        data=lambda cast: {"language": "es", "next": "/help/"},
    ),
    Row("language_set", everyone(405, anonymous=405)),
    # Wrong method: every page above is read-only.
    Row("roster_list", everyone(405), method="post"),
    Row("audit_list", everyone(405), method="post"),
    Row("audit_export", everyone(405), method="post"),
    Row("healthz", everyone(405, anonymous=405), method="post"),
    Row("readyz", everyone(405, anonymous=405), method="post"),
    # Third-party pages mounted by the project.
    Row("account_login", everyone(302, anonymous=200)),
    Row("account_signup", everyone(302, anonymous=200)),
    Row("account_reset_password", everyone(200, anonymous=200)),
    Row("mfa_index", everyone(200)),
    Row("admin:index", everyone(302)),
    # No program role opens the admin (staff accounts: test_admin.py).
    Row("admin:post_program_roleassignment_add", everyone(302)),
    Row("admin:post_program_physician_changelist", everyone(302)),
    Row("scim_client_list", only("director")),
    Row("scim_client_list", only("director", ok=400), method="post"),  # empty: the form again
    Row(
        "scim_client_revoke",
        only("director", ok=302),
        kwargs=lambda cast: {"pk": _scim_client(cast)},
        method="post",
    ),
    Row("scim_client_revoke", everyone(405), kwargs=lambda cast: {"pk": _scim_client(cast)}),
    # SCIM takes a SCIM client's bearer token only: a signed-in session is no credential.
    Row("scim", everyone(401, anonymous=401), kwargs=lambda cast: {"path": "/Users"}),
    Row(
        "scim", everyone(401, anonymous=401), kwargs=lambda cast: {"path": "/Users"}, method="post"
    ),
    Row(
        "scim", everyone(401, anonymous=401), kwargs=lambda cast: {"path": "/ServiceProviderConfig"}
    ),
]


def _token(cast) -> dict:
    from post_program.models import ApiToken

    token, _ = ApiToken.objects.get_or_create(
        name="Feed", created_by=cast.director, defaults={"digest": "0" * 64, "scopes": ["x"]}
    )
    return {"pk": token.pk}


# API tokens are the director's; the REST API takes API tokens only: a signed-in session is
# no token (401), and so is none. What each token may do: tests/post_program/test_api_*.py.
ROWS += [
    Row("api_token_list", only("director")),
    Row("api_token_list", only("director", ok=400), method="post"),  # empty: the form again
    Row("api_token_revoke", only("director", ok=302, others=404), kwargs=_token, method="post"),
    Row("api_token_revoke", everyone(405), kwargs=_token),
    Row("api_schema", everyone(200, anonymous=200)),
    Row("api_docs", everyone(200, anonymous=200)),
    Row("api_departments", everyone(401, anonymous=401)),
    Row("api_roster", everyone(401, anonymous=401)),
    Row("api_roster", everyone(401, anonymous=401), method="post"),
]
