"""The on-sale benchmark's data: one event, a fresh ticket type per measurement, buyers with access tokens.

Runs in the bench's own process (Django set up on the bench settings) against a database whose name
contains "bench", which it empties first (`flush`): nothing of the demo catalogue or of an earlier run
adds noise. Every measurement gets its own ticket type, so each starts from the same state (no tickets,
or `presold` issued ones) whatever ran before it; every buyer buys once, so neither the per-buyer limit
of open purchases nor the per-user throttles (both at their production values) refuse anyone.
"""

from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken

from events.models import Category, Event, TicketType
from events.services import issued_counts
from tickets.models import DiscountType, PromoCode, Purchase, Ticket, WaitlistEntry, WaitlistStatus

PRICE = Decimal("100.00")
BATCH = 2000
QUEUE_TYPE_STOCK = 50
# Completed purchases of four tickets (the last one of what is left), then their issued tickets.
PRESELL_PURCHASES = """
INSERT INTO tickets_purchase (purchase_id, group_code, buyer_id, event_id, ticket_type_id, quantity,
    unit_price, subtotal, discount, service_fee, total, currency, status, attendee_name,
    attendee_email, attendee_phone, reserved_at, reservation_expires_at, completed_at,
    created_at, updated_at)
SELECT 'PRE-' || lpad(upper(to_hex(%(type)s::bigint * 100000 + g)), 10, '0'), gen_random_uuid(),
    %(buyer)s, %(event)s, %(type)s, q, %(price)s, %(price)s * q, 0, %(fee)s * q,
    (%(price)s + %(fee)s) * q, 'GHS', 'completed', 'Early buyer', 'early@onsale.bench.invalid', '',
    now() - interval '1 day', now() - interval '1 day' + interval '10 minutes',
    now() - interval '1 day', now() - interval '1 day', now() - interval '1 day'
FROM generate_series(0, (%(count)s - 1) / 4) AS g,
    LATERAL (SELECT least(4, %(count)s - g * 4) AS q) AS size
"""
PRESELL_TICKETS = """
INSERT INTO tickets_ticket (ticket_id, purchase_id, event_id, ticket_type_id, status, reserved_until,
    attendee_name, attendee_email, attendee_phone, price_paid, issued_at, check_in_count,
    qr_payload, qr_code, created_at, updated_at)
SELECT 'TKT-' || upper(replace(gen_random_uuid()::text, '-', '')), p.id, p.event_id,
    p.ticket_type_id, 'active', p.reservation_expires_at, p.attendee_name, p.attendee_email, '',
    p.unit_price, p.completed_at, 0, '', '', p.created_at, p.created_at
FROM tickets_purchase p CROSS JOIN LATERAL generate_series(1, p.quantity)
WHERE p.ticket_type_id = %(type)s AND p.purchase_id LIKE 'PRE-%%'
"""


@dataclass(frozen=True)
class Buyer:
    pk: int
    name: str
    email: str
    token: str


@dataclass
class Scene:
    event_id: int
    organizer_token: str
    types: dict = field(default_factory=dict)  # (variant, concurrency, round) -> ticket type id
    presold: dict = field(default_factory=dict)  # ticket type id -> tickets issued before the rush
    promo_codes: dict = field(default_factory=dict)  # ticket type id -> code
    buyers: list = field(default_factory=list)
    queue_type_id: int | None = None
    waiting: int = 0


def reset_database():
    """Migrate, then empty every table (the database is the bench's own: see bench/onsale.py)."""
    call_command("migrate", interactive=False, verbosity=0)
    call_command("flush", interactive=False, verbosity=0)


def build(*, keys, stock: int, buyers: int, presold: int, promo: bool, queue_entries: int) -> Scene:
    """The event, one ticket type per key (variant, concurrency, round), and `buyers` buyers."""
    user_model = get_user_model()
    organizer = user_model.objects.create(
        username="onsale-organizer",
        email="organizer@onsale.bench.invalid",
        full_name="On-sale Organizer",
        phone_number="+233240000001",
        is_organizer=True,
        is_email_verified=True,
        verification_status="verified",
        verified_at=timezone.now(),
        password=make_password(None),  # unusable: this account never logs in, its token is minted
    )
    category = Category.objects.create(name="Bench concerts", slug="bench-concerts")
    event = Event(
        organizer=organizer,
        category=category,
        title="Stadium on-sale",
        slug="stadium-on-sale",
        short_description="The rush the on-sale benchmark measures.",
        description="Thousands of buyers press Buy in the same minute.",
        venue_name="Accra Sports Stadium",
        venue_city="Accra",
        start_date=date.today() + timedelta(days=60),
        start_time=time(19, 0),
        max_attendees=stock * (len(keys) + 1),
        is_published=True,
    )
    event.save()
    scene = Scene(event_id=event.pk, organizer_token=str(AccessToken.for_user(organizer)))
    for number, key in enumerate(keys):
        variant, concurrency, round_number = key
        ticket_type = TicketType.objects.create(
            event=event,
            name=f"GA {number:02d} {variant} c{concurrency} r{round_number}",
            price=PRICE,
            quantity=stock,
            min_purchase=1,
            max_purchase=10,
        )
        scene.types[key] = ticket_type.pk
        if variant == "ours+presold":
            scene.presold[ticket_type.pk] = presold
        if variant == "ours+promo":
            scene.promo_codes[ticket_type.pk] = _promo_code(event, ticket_type)
    scene.buyers = _buyers(buyers, prefix="buyer")
    if queue_entries:
        scene.queue_type_id, scene.waiting = _queue(event, queue_entries), queue_entries
    for ticket_type_id, count in scene.presold.items():
        presell(ticket_type_id, count, buyer_id=organizer.pk)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # fresh statistics and visibility map, as autovacuum keeps them
    return scene


def _buyers(count: int, *, prefix: str) -> list[Buyer]:
    user_model = get_user_model()
    made = []
    for start in range(0, count, BATCH):
        users = user_model.objects.bulk_create(
            user_model(
                username=f"{prefix}{number}",
                email=f"{prefix}{number}@onsale.bench.invalid",
                full_name=f"Buyer {number}",
                phone_number=f"+23324{number % 10**7:07d}",
                is_email_verified=True,
                password=make_password(None),
            )
            for number in range(start, min(count, start + BATCH))
        )
        made += [Buyer(user.pk, user.full_name, user.email, str(AccessToken.for_user(user))) for user in users]
    return made


def _promo_code(event, ticket_type) -> str:
    """A 10 % code for this type only, with room for every buyer (CONTRACT.md §16)."""
    code = PromoCode.objects.create(
        event=event,
        code=f"RUSH{ticket_type.pk}",
        discount_type=DiscountType.PERCENTAGE,
        discount_value=Decimal("10"),
        max_uses=1_000_000,
        max_uses_per_user=1,
    )
    code.ticket_types.add(ticket_type)
    return code.code


def _queue(event, entries: int) -> int:
    """A second type of the event, sold out, with `entries` people waiting for it (CONTRACT.md §17)."""
    sold_out = TicketType.objects.create(
        event=event, name="Sold out, queue open", price=PRICE, quantity=QUEUE_TYPE_STOCK, min_purchase=1
    )
    presell(sold_out.pk, QUEUE_TYPE_STOCK, buyer_id=event.organizer_id)
    waiting = _buyers(entries, prefix="waiting")
    now = timezone.now()
    WaitlistEntry.objects.bulk_create(
        WaitlistEntry(
            user_id=buyer.pk,
            event=event,
            ticket_type=sold_out,
            quantity=1 + number % 4,
            attendee_name=buyer.name,
            attendee_email=buyer.email,
            status=WaitlistStatus.WAITING,
            created_at=now - timedelta(seconds=entries - number),
        )
        for number, buyer in enumerate(waiting)
    )
    return sold_out.pk


def presell(ticket_type_id: int, count: int, *, buyer_id: int):
    """`count` issued tickets of the type, four per completed purchase, written by SQL in one transaction
    (the services would take minutes for 50,000). Purchases and tickets only: no payments or ledger rows,
    which no stock rule reads."""
    if count <= 0:
        return
    ticket_type = TicketType.objects.get(pk=ticket_type_id)
    assert (Purchase._meta.db_table, Ticket._meta.db_table) == ("tickets_purchase", "tickets_ticket")
    fee = (PRICE * Decimal("0.05")).quantize(Decimal("0.01"))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            PRESELL_PURCHASES,
            {
                "type": ticket_type_id,
                "buyer": buyer_id,
                "event": ticket_type.event_id,
                "price": PRICE,
                "fee": fee,
                "count": count,
            },
        )
        cursor.execute(PRESELL_TICKETS, {"type": ticket_type_id})
    after_bulk_sale(ticket_type_id)


def after_bulk_sale(ticket_type_id: int):
    """Tickets were written by SQL, past the services: the type's issued counter (issue 12 item 5) is
    set from a full count, as the operators' repair does."""
    issued = Ticket.objects.filter(ticket_type_id=ticket_type_id, status__in=("active", "used")).count()
    with transaction.atomic():
        issued_counts.set_issued_count(ticket_type_id=ticket_type_id, issued=issued)


def held_rows(ticket_type_id: int) -> int:
    """Tickets of the type that hold stock or once did in this run: issued, or reserved (lapsed or not)."""
    return Ticket.objects.filter(ticket_type_id=ticket_type_id, status__in=("reserved", "active", "used")).count()


def purchases_without_code(ticket_type_id: int) -> int:
    """Purchases of a `--promo-code` type that do not carry the code (there must be none)."""
    return Purchase.objects.filter(ticket_type_id=ticket_type_id, promo_code__isnull=True).count()
