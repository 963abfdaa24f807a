"""The organizer's admin in a real browser: headless Chromium through Selenium against a live server.

Signs in as an organizer, creates an event with two ticket types (the inline's "Add another" is the
admin's own JavaScript), sees it on the dashboard, checks an attendee in and downloads the CSV.
Marked `browser`; skipped when Chromium or its driver is not installed (`.ci/run` installs both from
the system's packages). Selenium is given the driver's path, so Selenium Manager downloads nothing.
"""

import csv
import io
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from conftest import PASSWORD
from events.models import Event
from events.tests.fixtures import image_bytes
from tickets.models import Ticket
from tickets.services.reservations import Attendee, issue_tickets, reserve_tickets

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
HAVE_BROWSER = Path(CHROMIUM).is_file() and Path(CHROMEDRIVER).is_file()

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),  # the live server's thread must see the test's rows
    pytest.mark.skipif(not HAVE_BROWSER, reason="no Chromium/chromedriver (apt-get install chromium chromium-driver)"),
]

WAIT_SECONDS = 15


@pytest.fixture
def chromium(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1024",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        options.add_argument(flag)
    options.add_experimental_option(
        "prefs", {"download.default_directory": str(downloads), "download.prompt_for_download": False}
    )
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.implicitly_wait(2)
    driver.downloads = downloads
    try:
        yield driver
    finally:
        driver.quit()


def wait_until(driver, condition):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT_SECONDS).until(condition)


def fill(driver, name, value):
    from selenium.webdriver.common.by import By

    field = driver.find_element(By.NAME, name)
    field.clear()
    field.send_keys(value)


def test_an_organizer_creates_an_event_sees_it_checks_in_and_exports(
    chromium, live_server, make_admin_organizer, make_user, music, tmp_path
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    organizer = make_admin_organizer(username="ama", full_name="Ama Mensah")
    poster = tmp_path / "poster.png"
    poster.write_bytes(image_bytes(size=(64, 48)))
    browser = chromium

    # Sign in with the organizer's own account.
    browser.get(f"{live_server.url}/admin/login/?next=/admin/")
    fill(browser, "username", "ama")
    fill(browser, "password", PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    wait_until(browser, lambda b: "organizer-dashboard" in b.page_source)

    # Create an event with two ticket types.
    browser.get(f"{live_server.url}/admin/events/organizerevent/add/")
    fill(browser, "title", "Highlife Under The Stars")
    Select(browser.find_element(By.NAME, "category")).select_by_visible_text(music.name)
    fill(browser, "short_description", "An open-air highlife concert with Accra's finest bands.")
    fill(browser, "description", "Three bands, one long night of highlife music under the Accra sky. " * 2)
    browser.find_element(By.NAME, "featured_image").send_keys(str(poster))
    fill(browser, "venue_name", "Independence Square")
    fill(browser, "venue_city", "Accra")
    fill(browser, "start_date", (timezone.localdate() + timedelta(days=10)).isoformat())
    fill(browser, "start_time", "18:30")
    fill(browser, "max_attendees", "300")
    fill(browser, "ticket_types-0-name", "Regular")
    fill(browser, "ticket_types-0-price", "0")
    fill(browser, "ticket_types-0-quantity", "200")
    browser.find_element(By.CSS_SELECTOR, "#ticket_types-group .add-row a").click()
    fill(browser, "ticket_types-1-name", "VIP")
    fill(browser, "ticket_types-1-price", "0")
    fill(browser, "ticket_types-1-quantity", "50")
    browser.find_element(By.NAME, "_save").click()
    wait_until(browser, lambda b: "was added successfully" in b.page_source)
    event = Event.objects.get(organizer=organizer)
    assert sorted(event.ticket_types.values_list("name", flat=True)) == ["Regular", "VIP"]

    # A guest buys a ticket; the dashboard shows the event and the sale.
    ticket = sell_one(event, make_user())
    browser.get(f"{live_server.url}/admin/")
    card = browser.find_element(By.CSS_SELECTOR, f'article[data-event-id="{event.pk}"]')
    assert "Highlife Under The Stars" in card.text
    assert card.find_element(By.CSS_SELECTOR, ".tickets-sold").text == "1 / 250"
    assert card.find_elements(By.CSS_SELECTOR, "svg.sales-chart polyline")

    # Check the attendee in from the attendees page.
    browser.get(f"{live_server.url}/admin/analytics/attendee/?event__id__exact={event.pk}")
    browser.find_element(By.CSS_SELECTOR, f'input.action-select[value="{ticket.pk}"]').click()
    Select(browser.find_element(By.NAME, "action")).select_by_value("check_in")
    browser.find_element(By.NAME, "index").click()
    wait_until(browser, lambda b: "1 attendee(s) checked in." in b.page_source)
    assert Ticket.objects.get(pk=ticket.pk).checked_in_by == organizer

    # Export the attendees as CSV.
    browser.get(f"{live_server.url}/admin/analytics/attendee/?event__id__exact={event.pk}")
    browser.find_element(By.CSS_SELECTOR, "a.export-csv").click()
    exported = wait_until(browser, lambda b: list(b.downloads.glob("attendees-*.csv")))
    rows = list(csv.DictReader(io.StringIO(exported[0].read_text())))
    assert [(row["attendee_name"], row["is_checked_in"]) for row in rows] == [("Kwame Boateng", "yes")]


def sell_one(event, buyer) -> Ticket:
    with transaction.atomic():
        purchase = reserve_tickets(
            buyer=buyer,
            event=event,
            ticket_type_id=event.ticket_types.get(name="Regular").pk,
            quantity=1,
            attendee=Attendee(name="Kwame Boateng", email="kwame@example.com", phone=""),
        )
        issue_tickets(purchase=purchase)
    return purchase.tickets.get()
