"""The organizer's way into /admin/: verification grants it, revocation takes it back (README "Organizers").

A verified organizer is made staff (so the admin lets them sign in) and joins the "Organizers" group,
whose permissions name only the organizer pages: proxies of the models whose admins show a user
nothing but their own rows. No permission of a staff page is ever in the group. `staff_via_verification`
records that the staff flag came from verification, so revocation takes back only what it gave:
someone who was staff or superuser before stays so.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

ORGANIZERS_GROUP = "Organizers"

# Exactly what the organizer pages check, as "app_label.codename"; nothing else is ever in the group.
ORGANIZER_PERMISSIONS = frozenset(
    {
        "accounts.view_organizerpaymentprofile",
        "accounts.add_organizerpaymentprofile",
        "accounts.change_organizerpaymentprofile",
        "accounts.delete_organizerpaymentprofile",
        "events.view_organizerevent",
        "events.add_organizerevent",
        "events.change_organizerevent",
        "events.delete_organizerevent",
        "tickets.view_sale",
        "tickets.view_organizerpromocode",
        "tickets.add_organizerpromocode",
        "tickets.change_organizerpromocode",
        "tickets.delete_organizerpromocode",
        "tickets.view_queueentry",
        "tickets.offer_freed_seats",
        "analytics.view_attendee",
        "analytics.check_in_attendee",
        "analytics.view_checkinrecord",
        "payouts.view_organizerwithdrawal",
        "payouts.add_organizerwithdrawal",
        "payouts.cancel_organizerwithdrawal",
        "payouts.view_revenueentry",
    }
)


def organizers_group() -> Group:
    """The group, created if a test flush or a fresh database has not got it yet."""
    return Group.objects.get_or_create(name=ORGANIZERS_GROUP)[0]


def sync_organizers_group(**_signal_kwargs) -> Group:
    """Give the group exactly ORGANIZER_PERMISSIONS (post_migrate: new pages' permissions join, others leave).

    Permissions whose app has not been migrated yet are missing for now; the post_migrate of that
    app runs this again.
    """
    group = organizers_group()
    wanted = Q(pk__in=[])
    for name in ORGANIZER_PERMISSIONS:
        app_label, codename = name.split(".")
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    group.permissions.set(Permission.objects.filter(wanted))
    return group


def grant_admin_access(user) -> list[str]:
    """Let a newly verified organizer into their admin; returns the user fields to save.

    Called inside the transaction that verifies them (the user row is locked). Staff and superusers
    keep their own access untouched; they join the group, which shows them their own events too.
    """
    user.groups.add(organizers_group())
    if user.is_staff or user.is_superuser:
        return []
    user.is_staff, user.staff_via_verification = True, True
    return ["is_staff", "staff_via_verification"]


def revoke_admin_access(user) -> list[str]:
    """Take back what `grant_admin_access` gave; returns the user fields to save."""
    user.groups.remove(*Group.objects.filter(name=ORGANIZERS_GROUP))
    if not user.staff_via_verification:
        return []
    user.is_staff, user.staff_via_verification = False, False
    return ["is_staff", "staff_via_verification"]
