"""The production stack description: docker-compose.yml, the Dockerfile and .dockerignore.

Docker does not run in CI, so these tests read the files and check the promises the rest of the
project relies on: one image, one shared definition of the app processes, settings that reach
them all from one env file, migrations run once before anything serves, health checks that gate
start-up, secrets that must come from the environment, and static files baked into the image.
"""

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
ENV_EXAMPLE = ROOT / ".env.example"

APP_SERVICES = ("web", "worker", "beat")
IMAGE_SERVICES = ("migrate", *APP_SERVICES)
# Services that run until stopped; migrate is a job, whose exit status is what the others await.
LONG_RUNNING = ("postgres", "redis", *APP_SERVICES)
ALL_SERVICES = ("postgres", "redis", *IMAGE_SERVICES)
PROD_SETTINGS = "post_program.settings.prod"
# What compose itself sets for the stack's own services; everything else comes from .env.
IN_STACK = {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def environment(service: dict) -> dict[str, str]:
    """A service's environment as a dict, whichever of the two compose syntaxes it uses."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


def interpolate(text: str, variables: dict[str, str]) -> str:
    """`text` as compose reads it with `variables` in .env: `${NAME}`, `${NAME:-default}` and
    `${NAME:?message}` (which stops compose when NAME is unset or empty), `$$` for a `$`."""

    def value(match: re.Match) -> str:
        name, operator, argument = match.group(1), match.group(2), match.group(3)
        found = variables.get(name, "")
        if operator == ":?" and not found:
            raise LookupError(f"compose stops: {argument}")
        return found or (argument if operator == ":-" else "")

    pattern = r"\$\{([A-Z_][A-Z0-9_]*)(?:(:-|:\?)([^}]*))?\}"
    parts = text.split("$$")
    return "$".join(re.sub(pattern, value, part) for part in parts)


def env_example() -> dict[str, str]:
    """The variables .env.example lists, with their values."""
    lines = ENV_EXAMPLE.read_text().splitlines()
    pairs = [line.split("=", 1) for line in lines if line and not line.startswith("#")]
    return dict(pairs)


def argv(command) -> list[str]:
    """A compose command as the argument vector the container runs."""
    return shlex.split(command) if isinstance(command, str) else list(command)


def option(args: list[str], *names: str) -> str | None:
    """The value of a command-line option given as `-x value`, `--name value` or `--name=value`."""
    for i, arg in enumerate(args):
        for name in names:
            if arg == name and i + 1 < len(args):
                return args[i + 1]
            if arg.startswith(name + "="):
                return arg.split("=", 1)[1]
    return None


# docker-compose.yml


def test_the_six_services_exist(services):
    assert set(ALL_SERVICES) <= set(services)


def test_image_services_are_one_definition_merged_from_the_x_app_anchor():
    """migrate, web, worker and beat merge the very same `x-app` node: they cannot drift apart."""
    root = yaml.compose(COMPOSE_FILE.read_text())
    top = {key.value: value for key, value in root.value}
    shared = top["x-app"]
    service_nodes = {key.value: value for key, value in top["services"].value}
    for name in IMAGE_SERVICES:
        merged = [value for key, value in service_nodes[name].value if key.value == "<<"]
        assert merged, f"{name} does not merge the shared x-app definition"
        assert merged[0] is shared, f"{name} merges something other than x-app"


def test_app_services_share_build_environment_and_dependencies(compose, services):
    shared = compose["x-app"]
    assert shared["build"]
    for name in IMAGE_SERVICES:
        service = services[name]
        assert service["build"] == shared["build"], name
        assert service["env_file"] == shared["env_file"], name
    for name in APP_SERVICES:
        service = services[name]
        assert environment(service) == environment(shared), name
        assert service["depends_on"] == shared["depends_on"], name
    assert "image" not in shared, "the app services are built from the Dockerfile, not pulled"


def test_every_setting_of_the_env_file_reaches_every_process(compose, services):
    """The settings (mail, SITE_URL, single sign-on, time zone...) come from .env, copied from
    .env.example, in every service of the image; compose sets only what the stack itself
    provides, and passes any other variable it names straight from .env."""
    assert ENV_EXAMPLE.is_file()
    for name in IMAGE_SERVICES:
        env_file = services[name]["env_file"]
        assert env_file in (".env", [".env"]), (name, env_file)
        for variable, value in environment(services[name]).items():
            if variable not in IN_STACK:
                assert re.fullmatch(rf"\$\{{{variable}(:[-?][^}}]*)?\}}", value), (name, variable)
    listed = env_example()
    for variable in ("SITE_URL", "EMAIL_BACKEND", "EMAIL_HOST", "OIDC_CLIENT_ID", "TIME_ZONE"):
        assert variable in listed, variable
    named = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", COMPOSE_FILE.read_text()))
    assert named <= set(listed), f"{named - set(listed)} not documented in .env.example"


def test_app_services_build_from_the_repository_dockerfile(compose):
    build = compose["x-app"]["build"]
    context = build if isinstance(build, str) else build.get("context", ".")
    dockerfile = "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
    assert (COMPOSE_FILE.parent / context / dockerfile).resolve() == DOCKERFILE


def test_web_serves_with_gunicorn_and_leaves_migrations_to_migrate(services):
    gunicorn = argv(services["web"]["command"])
    assert "migrate" not in gunicorn, "three web replicas would migrate at once"
    assert gunicorn[0] == "gunicorn"
    assert "post_program.wsgi:application" in gunicorn
    assert option(gunicorn, "--bind", "-b") == "0.0.0.0:8000"


def test_web_publishes_port_8000(services):
    ports = [str(port) for port in services["web"]["ports"]]
    assert any(port.endswith("8000:8000") for port in ports), ports


def test_worker_runs_a_celery_worker_for_the_project(services):
    args = argv(services["worker"]["command"])
    assert args[0] == "celery"
    assert option(args, "-A", "--app") == "post_program"
    assert "worker" in args
    assert "beat" not in args and "-B" not in args, "beat must run once, not in every worker"


def test_beat_runs_celery_beat_with_the_database_scheduler(services):
    args = argv(services["beat"]["command"])
    assert args[0] == "celery"
    assert option(args, "-A", "--app") == "post_program"
    assert "beat" in args
    scheduler = option(args, "--scheduler", "-S")
    assert scheduler == "django_celery_beat.schedulers:DatabaseScheduler"


def _run_migrate(services, tmp_path, variables: dict[str, str], fail: str = "") -> list[str]:
    """Run the migrate service's script with `variables` in .env, with a `python` that records
    its arguments (and exits 1 for a command starting with `fail`); returns the calls."""
    tmp_path.mkdir()
    fake = tmp_path / "python"
    log = tmp_path / "calls"
    fake.write_text(
        '#!/bin/sh\necho "$*" >> "$CALLS"\n'
        'case "$*" in "$FAIL"*) [ -n "$FAIL" ] && exit 1;; esac\nexit 0\n'
    )
    fake.chmod(0o755)
    args = [interpolate(arg, variables) for arg in argv(services["migrate"]["command"])]
    assert args[0] == "sh"
    result = subprocess.run(  # noqa: S603 - the compose file's own command
        ["/bin/sh", *args[1:]],
        env={"PATH": f"{tmp_path}:/usr/bin:/bin", "CALLS": str(log), "FAIL": fail},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    calls = log.read_text().splitlines() if log.exists() else []
    return [str(result.returncode), *calls]


def test_migrate_runs_migrations_once_and_grants_the_app_role_when_one_is_set(services, tmp_path):
    assert _run_migrate(services, tmp_path / "single", {}) == [
        "0",
        "manage.py migrate --noinput",
    ]
    assert _run_migrate(services, tmp_path / "two", {"DB_APP_ROLE": "post_app"}) == [
        "0",
        "manage.py migrate --noinput",
        "manage.py db_grant_app_role post_app",
    ]
    # A failed migration fails the job (so nothing starts on it) and grants nothing.
    failed = _run_migrate(
        services, tmp_path / "failed", {"DB_APP_ROLE": "post_app"}, fail="manage.py migrate"
    )
    assert failed[0] != "0" and failed[1:] == ["manage.py migrate --noinput"]


def test_migrate_runs_as_the_owner_and_the_processes_as_the_app_role(compose, services):
    owner = environment(services["postgres"])["POSTGRES_USER"]
    shared = environment(compose["x-app"])["DATABASE_URL"]
    migrate = environment(services["migrate"])["DATABASE_URL"]
    for variables in ({}, {"DB_APP_ROLE": "post_app", "DB_APP_PASSWORD": "s3cret"}):
        assert urlsplit(interpolate(migrate, variables)).username == owner
    assert urlsplit(interpolate(shared, {})).username == owner, "one role unless one is set"
    app = urlsplit(interpolate(shared, {"DB_APP_ROLE": "post_app", "DB_APP_PASSWORD": "s3cret"}))
    assert (app.username, app.password) == ("post_app", "s3cret")
    assert {**environment(services["migrate"]), "DATABASE_URL": shared} == environment(
        compose["x-app"]
    )


def test_migrate_is_a_job_the_app_services_wait_for(services):
    migrate = services["migrate"]
    assert migrate["restart"] in ("no", False), "a completed job must not be restarted"
    assert "ports" not in migrate
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in APP_SERVICES:
        condition = services[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully", name


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_every_service_has_a_health_check(services, name):
    healthcheck = services[name].get("healthcheck")
    assert healthcheck, f"{name} has no healthcheck"
    assert not healthcheck.get("disable")
    test = healthcheck["test"]
    assert test and test not in (["NONE"], "NONE"), f"{name} health check does nothing"


def test_health_checks_probe_what_each_service_does(services):
    def text(name):
        test = services[name]["healthcheck"]["test"]
        return test if isinstance(test, str) else " ".join(test)

    assert "pg_isready" in text("postgres")
    assert "redis-cli ping" in text("redis")
    assert "http://127.0.0.1:8000/readyz/" in text("web")
    assert "urllib" in text("web")
    # `$$` is compose's escape for a literal `$`, so the shell in the container expands it.
    assert "celery -A post_program inspect ping -d celery@$$HOSTNAME" in text("worker")
    assert "connection" in text("beat")


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_wait_for_healthy_postgres_and_redis(services, name):
    depends_on = services[name]["depends_on"]
    assert isinstance(depends_on, dict), "the list form cannot wait for health"
    for dependency in ("postgres", "redis"):
        assert depends_on[dependency]["condition"] == "service_healthy", (name, dependency)


def test_app_environment_points_at_the_stack(compose, services):
    env = environment(compose["x-app"])
    assert env["DJANGO_SETTINGS_MODULE"] == PROD_SETTINGS

    database = urlsplit(interpolate(env["DATABASE_URL"], {}))
    assert database.scheme in ("postgres", "postgresql")
    assert database.hostname == "postgres" and database.port in (None, 5432)
    postgres_env = environment(services["postgres"])
    assert database.username == postgres_env["POSTGRES_USER"]
    assert database.password == postgres_env["POSTGRES_PASSWORD"]
    assert database.path.lstrip("/") == postgres_env["POSTGRES_DB"]

    redis = urlsplit(env["REDIS_URL"])
    assert redis.scheme == "redis"
    assert redis.hostname == "redis" and redis.port in (None, 6379)


@pytest.mark.parametrize("name", ["SECRET_KEY", "PSEUDONYM_KEY", "MFA_ENCRYPTION_KEY", "SITE_URL"])
def test_secret_keys_are_required_from_the_environment_never_defaulted(compose, name):
    secret = environment(compose["x-app"])[name]
    # `${VAR:?message}` makes compose refuse to start when the key is unset or empty.
    assert re.fullmatch(rf"\$\{{{name}:\?[^}}]+\}}", secret), secret


def test_postgres_keeps_its_data_in_a_named_volume(compose, services):
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    mounts = [str(volume).split(":") for volume in services["postgres"]["volumes"]]
    data = [source for source, target, *_ in mounts if target == "/var/lib/postgresql/data"]
    assert data and data[0] in (compose.get("volumes") or {}), "data must survive a rebuild"


# Dockerfile


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with comments dropped and continuation lines joined."""
    instructions, current = [], ""
    for line in DOCKERFILE.read_text().splitlines():
        if line.lstrip().startswith("#") or not (current or line.strip()):
            continue
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1] + " "
            continue
        current += line
        keyword, _, arguments = current.strip().partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        current = ""
    return instructions


def test_dockerfile_cmd_runs_gunicorn_on_the_wsgi_app():
    cmds = [arguments for keyword, arguments in dockerfile_instructions() if keyword == "CMD"]
    assert cmds, "no CMD"
    command = json.loads(cmds[-1])  # exec form, so gunicorn is PID 1 and gets SIGTERM
    assert command[0] == "gunicorn"
    assert "post_program.wsgi:application" in command
    assert option(command, "--bind", "-b") == "0.0.0.0:8000"
    assert ("EXPOSE", "8000") in dockerfile_instructions()


def test_dockerfile_collects_static_files_with_prod_settings_and_a_build_only_key():
    instructions = dockerfile_instructions()
    runs = [args for keyword, args in instructions if keyword == "RUN" and "collectstatic" in args]
    assert len(runs) == 1
    assert "manage.py collectstatic --noinput" in runs[0]
    assert re.search(r"(^|\s)SECRET_KEY=\S+", runs[0]), "prod settings need a key to load"

    image_env = " ".join(args for keyword, args in instructions if keyword in ("ENV", "ARG"))
    assert f"DJANGO_SETTINGS_MODULE={PROD_SETTINGS}" in image_env + " " + runs[0]
    assert "SECRET_KEY" not in image_env, "the build key must not be baked into the image"


def test_the_build_only_values_let_the_production_settings_load():
    """collectstatic runs at build time with the prod settings, which refuse to load without
    each variable they require: the Dockerfile must give every one of them."""
    run = next(
        args
        for keyword, args in dockerfile_instructions()
        if keyword == "RUN" and "collectstatic" in args
    )
    assignments = dict(word.split("=", 1) for word in shlex.split(run.split("python manage.py")[0]))
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        # Nothing of this process's configuration: only what the image build has.
        env={"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": PROD_SETTINGS, **assignments},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_dockerfile_installs_the_project_without_dev_extras_as_a_non_root_user():
    instructions = dockerfile_instructions()
    assert instructions[0] == ("FROM", "python:3.11-slim")
    runs = " ".join(args for keyword, args in instructions if keyword == "RUN")
    assert "pip install -c constraints.txt ." in runs
    assert "[dev]" not in runs
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0"):
        assert package in runs, f"WeasyPrint needs {package}"
    users = [args for keyword, args in instructions if keyword == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")


def test_dockerignore_keeps_local_state_out_of_the_image():
    patterns = {line.strip() for line in DOCKERIGNORE.read_text().splitlines()}
    for entry in (".venv", ".git", "node_modules", "media", ".pytest_cache"):
        assert entry in patterns, entry
    for name in ("*.sqlite3", "__pycache__"):
        assert name in patterns or f"**/{name}" in patterns, name
