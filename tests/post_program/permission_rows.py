from tests.permission_table import Row, everyone, only

ROWS = [
    Row("home", everyone(302)),
    Row("home_director", only("director")),
    Row("home_coordinator", only("coordinator")),
    Row("home_lead", only("lead")),
    Row("home_supporter", only("supporter_a", "supporter_b")),
    Row("home_physician", only("supporter_a", "supporter_b", "physician")),
    Row("roster_list", only("director", "coordinator", "lead")),
    Row("help_now", everyone(200, anonymous=200)),
    Row("healthz", everyone(200, anonymous=200)),
    # Wrong method: every page above is read-only.
    Row("home_director", everyone(405), method="post"),
    Row("roster_list", everyone(405), method="post"),
    Row("healthz", everyone(405, anonymous=405), method="post"),
    # Third-party pages mounted by the project.
    Row("account_login", everyone(302, anonymous=200)),
    Row("account_signup", everyone(302, anonymous=200)),
    Row("account_reset_password", everyone(200, anonymous=200)),
    Row("mfa_index", everyone(200)),
    Row("admin:index", everyone(302)),
]
