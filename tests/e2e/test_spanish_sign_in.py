"""A physician whose browser prefers Spanish signs in on the Spanish sign-in page, reads their
home in Spanish, and switches to English with the footer's language chooser (every page checked
by axe-core on the way, the chooser included)."""

from __future__ import annotations

from tests.factories import PASSWORD, PhysicianFactory, UserFactory

from .conftest import ACCESSIBILITY, new_page


def test_a_spanish_reader_signs_in_and_switches_to_english(transactional_db, browser, live_server):
    user = UserFactory(email="ines@example.org")
    PhysicianFactory(email=user.email, user=user)
    context, page = new_page(browser, live_server, locale="es-MX")
    page.goto("/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "es"
    page.get_by_label("Correo electrónico").fill(user.email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    ACCESSIBILITY.signed_in_as(page, user.email)
    page.wait_for_url("**/home/physician/")
    assert page.get_by_role("heading", level=1).inner_text() == "Apoyo entre pares"
    assert page.get_by_role("complementary", name="Necesita ayuda ahora").is_visible()

    page.get_by_label("Idioma").select_option("en")
    page.get_by_role("button", name="Cambiar").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Peer support"
    assert page.locator("html").get_attribute("lang") == "en"
    user.refresh_from_db()
    assert user.language == "en"
    context.close()
