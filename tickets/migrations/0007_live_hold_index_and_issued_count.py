"""Issue 12: the stock count under the lock stops growing with sales.

`TicketType.issued_count` (events 0005) is filled here from the tickets it counts (active or used), in
one UPDATE; from now on every transition that issues or voids tickets moves it in its own transaction.
The partial index serves the other half of the stock rule, the live holds: reserved rows only.
"""

from django.db import migrations, models
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

ISSUED = ("active", "used")


def fill_issued_counts(apps, schema_editor):
    TicketType = apps.get_model("events", "TicketType")
    Ticket = apps.get_model("tickets", "Ticket")
    issued = (
        Ticket.objects.filter(ticket_type=OuterRef("pk"), status__in=ISSUED)
        .order_by()
        .values("ticket_type")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    TicketType.objects.update(issued_count=Coalesce(Subquery(issued, output_field=IntegerField()), Value(0)))


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0005_ticket_type_issued_count"),
        ("tickets", "0006_organizer_promo_codes_and_queues"),
    ]

    operations = [
        migrations.RunPython(fill_issued_counts, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("status", "reserved")),
                fields=["ticket_type", "reserved_until"],
                name="ticket_live_hold_idx",
            ),
        ),
    ]
