"""Forms behave the same everywhere: sent with answers missing, each form is shown again with
the program's own messages (the browser's validation bubbles are switched off), each next to
its field and all of them in one summary at the top that links to the fields."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

FORMS = [
    ("director", "training:session_create", "Save session", ["course", "capacity"]),
    ("director", "training:course_create", "Save course", ["name", "hours"]),
    ("director", "training:completion_create", "Record completion", ["physician"]),
    ("director", "surveys:campaign_create", "Create campaign", ["name", "version"]),
    ("director", "reporting:prism_note_create", "Save note", ["noted_on"]),
    ("director", "import_start", "Check these files", ["files"]),
    ("director", "program_settings", "Save settings", ["suppression_threshold", "retention_days"]),
]


def _form_tag(page: str, button: str) -> str:
    """The opening tag of the form that holds the button labelled `button`."""
    end = page.index(f'value="{button}"')
    return page[page.rindex("<form", 0, end) : end].split(">", 1)[0]


@pytest.mark.parametrize(("member", "url_name", "button", "fields"), FORMS)
def test_a_form_sent_empty_lists_each_error_in_a_summary_and_next_to_its_field(
    cast, member, url_name, button, fields
):
    client = cast.client(member)
    url = reverse(url_name)
    assert "novalidate" in _form_tag(client.get(url).content.decode(), button)

    response = client.post(url, dict.fromkeys(fields, ""))
    assert response.status_code in (200, 400)
    page = response.content.decode()
    form = response.context["form"]
    start = page.index('id="error-summary"')
    summary = page[start : page.index("</ul>", start)]
    assert f"Please check {len(form.errors)} field" in summary
    for name in fields:
        (message,) = form.errors[name]
        assert f'href="#div_id_{name}"' in summary, name
        # In the summary, and again beside the field.
        assert page.count(message) >= 2 * list(form.errors.values()).count([message]), name
