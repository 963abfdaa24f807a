"""On PostgreSQL: simultaneous scans of one single_entry ticket admit it exactly once (real threads)."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from tickets.models import CheckIn, Ticket

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

SCANNERS = 20


def test_twenty_simultaneous_scans_admit_a_single_entry_ticket_once(organizer, make_event, sell):
    event = make_event(days=2)
    ticket = sell(event.ticket_types.get()).tickets.get()
    start = threading.Barrier(SCANNERS)
    statuses, errors = [], []

    def scan():
        try:
            client = APIClient()
            client.force_authenticate(user=organizer)
            start.wait(timeout=20)
            response = client.post(f"/api/v1/events/{event.pk}/checkin/", {"ticket_id": ticket.ticket_id})
            statuses.append((response.status_code, response.json()["success"]))
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=scan) for _ in range(SCANNERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    assert sorted(statuses) == [(200, True)] + [(409, False)] * (SCANNERS - 1)
    ticket.refresh_from_db()
    assert ticket.status == "used" and ticket.check_in_count == 1
    outcomes = list(CheckIn.objects.filter(ticket=ticket).values_list("outcome", flat=True))
    assert outcomes.count("admitted") == 1 and outcomes.count("refused") == SCANNERS - 1
    assert Ticket.objects.filter(status="used").count() == 1
