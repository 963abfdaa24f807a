"""The admin site: staff organizers see only their own events, superusers see all."""

import pytest

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/events/event/"


def test_staff_organizer_sees_only_own_events(client, make_event, make_organizer):
    staff = make_organizer(is_staff=True)
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="events"))
    own = make_event(organizer=staff, title="Staff Own Event")
    other = make_event(title="Somebody Else Event")
    client.force_login(staff)
    page = client.get(CHANGELIST).content.decode()
    assert own.title in page and other.title not in page
    assert client.get(f"{CHANGELIST}{other.pk}/change/").status_code == 302  # not found -> redirected away
    assert client.get(f"{CHANGELIST}{own.pk}/change/").status_code == 200


def test_superuser_sees_all_events(client, make_event, make_user):
    admin = make_user(is_staff=True, is_superuser=True)
    events = [make_event(), make_event()]
    client.force_login(admin)
    page = client.get(CHANGELIST).content.decode()
    assert all(event.title in page for event in events)
    assert client.get("/admin/events/category/").status_code == 200
    assert client.get(f"{CHANGELIST}add/").status_code == 200
