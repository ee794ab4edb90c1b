"""A real OpenID Connect provider on loopback (tests/oidc/provider.mjs, panva's oidc-provider,
installed by `make test` with `npm ci`), and a browser's part of the authorization-code flow.

The Django test client plays the browser on the program's side; `requests` plays it on the
provider's (its sign-in and consent forms). The program itself exchanges the code and reads the
claims from the provider over HTTP, as in production.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

PROVIDER_DIR = Path(__file__).parent / "oidc"
PROVIDER_ID = "health-system"
CLIENT_ID = "post-tests"
CLIENT_SECRET = "a-test-client-secret"
CALLBACK = f"http://testserver/accounts/oidc/{PROVIDER_ID}/login/callback/"
# Who the provider knows, by the login typed on its sign-in form.
ACCOUNTS = {
    # Pat has an account in the program already.
    "pat": {"email": "physician@example.org", "email_verified": True, "name": "Pat Physician"},
    # On the roster, no account yet.
    "newdoc": {"email": "new.doc@example.org", "email_verified": True, "name": "New Doc"},
    # Claims Pat's address without the provider having verified it.
    "mallory": {"email": "physician@example.org", "email_verified": False, "name": "Mallory"},
}


@dataclass
class Provider:
    issuer: str

    def app_settings(self) -> dict:
        """SOCIALACCOUNT_PROVIDERS as post_program.settings builds them from OIDC_*."""
        return {
            "openid_connect": {
                "APPS": [
                    {
                        "provider_id": PROVIDER_ID,
                        "name": "Health system sign-in",
                        "client_id": CLIENT_ID,
                        "secret": CLIENT_SECRET,
                        "settings": {"server_url": self.issuer},
                    }
                ]
            }
        }


def start_provider():
    """Run the provider until the test session ends; skip when Node or the package is absent."""
    node = shutil.which("node")
    if node is None:
        pytest.skip(
            "Node.js is not installed: single sign-on tests skipped (apt-get install nodejs npm)"
        )
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        pytest.skip("oidc-provider is not installed: run `make test` (npm ci in tests/oidc)")
    config = {
        "client": {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uris": [CALLBACK],
        },
        "accounts": ACCOUNTS,
    }
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        [node, str(PROVIDER_DIR / "provider.mjs")],
        env={"OIDC_TEST_CONFIG": json.dumps(config), "PATH": ""},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith("issuer "):
        process.kill()
        raise RuntimeError(f"the test OpenID Connect provider did not start: {line!r}")
    return process, Provider(issuer=line.split()[1])


class _Form(HTMLParser):
    """The first form of a page: its action and its fields' values."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs) -> None:
        attributes = dict(attrs)
        if tag == "form" and self.action is None:
            self.action = attributes.get("action") or ""
        elif tag == "input" and attributes.get("name"):
            self.fields[attributes["name"]] = attributes.get("value") or ""


def sign_in(client, provider: Provider, login: str):
    """Press the program's "Health system sign-in" button, sign in at the provider as `login`,
    consent, and come back: the program's answer to the callback, redirects followed."""
    response = client.post(f"/accounts/oidc/{PROVIDER_ID}/login/")
    assert response.status_code == 302, response.content
    url = response["Location"]
    assert url.startswith(provider.issuer)
    browser = requests.Session()
    for _step in range(20):
        if not url.startswith(provider.issuer):
            break
        answer = browser.get(url, allow_redirects=False, timeout=10)
        if answer.is_redirect:
            url = urljoin(url, answer.headers["Location"])
            continue
        form = _Form()
        form.feed(answer.text)
        assert form.action is not None, answer.text
        fields = {**form.fields, "login": login, "password": "any"}
        answer = browser.post(
            urljoin(url, form.action), data=fields, allow_redirects=False, timeout=10
        )
        assert answer.is_redirect, answer.text
        url = urljoin(url, answer.headers["Location"])
    callback = urlsplit(url)
    assert f"{callback.scheme}://{callback.netloc}{callback.path}" == CALLBACK, url
    return client.get(f"{callback.path}?{callback.query}", follow=True)
