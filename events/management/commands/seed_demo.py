"""`manage.py seed_demo [--events N] [--small] [--if-available]`: idempotent demo data.

Creates verified organizers (each with a verified default payment profile), a few buyers and N events across
categories, Ghanaian cities and dates (mostly upcoming, some past) with 1-4 ticket types each (some free).
Every account is complete (full name and a Ghana phone number), so clients let it buy straight away.
Everything is keyed by stable e-mails and slugs, so a second run creates nothing new.
"""

import io
import random
import sys
import time
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageDraw

from accounts.models import PaymentProfile
from events.models import Category, Event, TicketType

DEMO_PASSWORD = "CafaDemo2026!"  # noqa: S105 - published demo credential
DEMO_DOMAIN = "demo.cafaticket.com"
DEMO_IMAGE = "events/demo/featured.png"
SMALL_EVENTS = 24
DEFAULT_EVENTS = 60
BATCH = 1000

ORGANIZERS = [
    ("kofi_events", "Kofi Boateng"),
    ("ama_live", "Ama Owusu"),
    ("yaw_productions", "Yaw Asante"),
    ("efua_experiences", "Efua Mensah"),
]
BUYERS = [("akosua", "Akosua Darko"), ("kwame", "Kwame Nkansah"), ("abena", "Abena Ofori")]
CITIES = [
    ("Accra", 5.603717, -0.186964, ["Independence Square", "National Theatre", "Labadi Beach Hotel", "Jamestown"]),
    ("Kumasi", 6.688481, -1.624433, ["Baba Yara Stadium", "Prempeh Assembly Hall", "Manhyia Palace Grounds"]),
    ("Takoradi", 4.898386, -1.760338, ["Takoradi Beach", "Paa Grant Roundabout Park"]),
    ("Tamale", 9.407527, -0.853311, ["Tamale Jubilee Park", "Aliu Mahama Stadium"]),
    ("Cape Coast", 5.105862, -1.246573, ["Cape Coast Castle", "Victoria Park"]),
    ("Ho", 6.611165, 0.470418, ["Ho Sports Stadium", "Volta Serene Hotel"]),
    ("Koforidua", 6.094011, -0.259130, ["Jackson Park", "Eastern Regional Hall"]),
    ("Tema", 5.669600, -0.016620, ["Tema Community 1 Park", "Meridian Hotel"]),
]
TITLES = {
    "music": ["Highlife Night", "Afrobeats Live", "Jazz by the Sea", "Gospel Praise Concert", "Hiplife Fest"],
    "sports": ["City Marathon", "Beach Volleyball Cup", "Boxing Fight Night", "5-a-side Football Cup"],
    "arts-culture": ["Kente Exhibition", "Contemporary Art Fair", "Adinkra Workshop", "Poetry Slam"],
    "business-networking": ["Startup Founders Meetup", "Fintech Summit", "Women in Business Forum"],
    "food-drink": ["Jollof Festival", "Street Food Fair", "Cocoa & Coffee Tasting", "Waakye Brunch"],
    "comedy": ["Stand-up Comedy Night", "Laugh Out Loud Live", "Comedy Jam"],
    "education-training": ["Data Science Bootcamp", "Photography Masterclass", "Coding for Kids"],
    "other": ["Community Clean-up Day", "Charity Gala", "Board Games Night"],
}
TICKET_NAMES = ["Regular", "VIP", "Early Bird", "Student", "Table for Four"]
PRICES = [Decimal(value) for value in ("20", "35", "50", "75", "100", "150", "250", "500")]


def demo_phone(number: int) -> str:
    """A distinct Ghana mobile number in the stored form (+233 and 9 digits), e.g. +233241000001."""
    return f"+23324{1_000_001 + number:07d}"


class Command(BaseCommand):
    help = "Create demo organizers, buyers, events and ticket types (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--events", type=int, default=DEFAULT_EVENTS, help="number of demo events")
        parser.add_argument("--small", action="store_true", help=f"about {SMALL_EVENTS} events")
        parser.add_argument("--if-available", action="store_true", help="warn instead of failing")

    def handle(self, *args, **options):
        count = SMALL_EVENTS if options["small"] else max(options["events"], 0)
        try:
            self.seed(count)
        except (DatabaseError, CommandError, OSError) as error:
            if not options["if_available"]:
                raise
            self.stderr.write(self.style.WARNING(f"seed_demo skipped: {error}"))

    def seed(self, count: int):
        started = time.monotonic()
        categories = list(Category.objects.filter(is_active=True).order_by("id"))
        if not categories:
            raise CommandError("No active categories: run `manage.py migrate` first.")
        password = make_password(DEMO_PASSWORD)
        organizers = [
            self.organizer(username, name, password, number) for number, (username, name) in enumerate(ORGANIZERS)
        ]
        buyers = [
            self.user(username, name, password, demo_phone(len(ORGANIZERS) + number))
            for number, (username, name) in enumerate(BUYERS)
        ]
        image = self.demo_image()
        created = self.events(count, categories, organizers, image)
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"{created} new events ({count} requested) in {elapsed:.1f}s."))
        self.stdout.write(f"Demo logins (password: {DEMO_PASSWORD}):")
        for user in [*organizers, *buyers]:
            role = "organizer" if user.is_organizer else "buyer"
            self.stdout.write(f"  {user.email:<40} {role}")

    # --- people ---------------------------------------------------------------------------------

    def user(self, username, full_name, password, phone_number, **fields):
        """The demo account, created complete (name and phone, as the web client requires before a purchase).

        An account from an earlier seed that lacks a phone number gets one; nothing else is changed.
        """
        user_model = get_user_model()
        email = f"{username.replace('_', '.')}@{DEMO_DOMAIN}"
        user = user_model.objects.filter(email=email).first()
        if user is None:
            user = user_model(username=username, email=email, full_name=full_name, password=password)
            user.is_email_verified = True
            user.phone_number = phone_number
            for name, value in fields.items():
                setattr(user, name, value)
            user.save()
        elif not user.phone_number:
            user.phone_number = phone_number
            user.save(update_fields=["phone_number"])
        return user

    def organizer(self, username, full_name, password, number):
        user = self.user(
            username,
            full_name,
            password,
            demo_phone(number),
            is_organizer=True,
            verification_status="verified",
            verified_at=timezone.now(),
            bio=f"{full_name} has organized events across Ghana since 2018.",
        )
        profile = PaymentProfile.objects.live().filter(user=user, method="mobile_money").first()
        if profile is None:
            profile = PaymentProfile.objects.create(
                user=user,
                method="mobile_money",
                name="MTN Mobile Money",
                # Ending in 5: the sandbox's failure numbers end in 0000, 0001 and 0002 (CONTRACT §6.14).
                account_number=f"+23324{number:06d}5",
                account_name=full_name,
                network="MTN",
                status="verified",
                verified_at=timezone.now(),
                is_default=not PaymentProfile.objects.live().filter(user=user, is_default=True).exists(),
            )
        user.demo_profile = profile
        return user

    def demo_image(self) -> str:
        """A small generated PNG, stored once and shared by every demo event.

        Deleting one event, or replacing its picture, keeps the file while another row uses it
        (cafa.media.delete_unreferenced_on_commit).
        """
        if not default_storage.exists(DEMO_IMAGE):
            picture = Image.new("RGB", (640, 360), (17, 94, 89))
            draw = ImageDraw.Draw(picture)
            for row in range(0, 360, 4):
                draw.line([(0, row), (640, row)], fill=(17 + row // 4, 94, 89 + row // 6))
            draw.text((24, 320), "Cafa Tickets demo", fill=(255, 255, 255))
            buffer = io.BytesIO()
            picture.save(buffer, format="PNG", optimize=True)
            return default_storage.save(DEMO_IMAGE, ContentFile(buffer.getvalue()))
        return DEMO_IMAGE

    # --- events ---------------------------------------------------------------------------------

    def events(self, count, categories, organizers, image) -> int:
        plans = [self.plan(number, categories, organizers, image) for number in range(1, count + 1)]
        existing = set(Event.objects.filter(slug__in=[event.slug for event, _ in plans]).values_list("slug", flat=True))
        missing = [(event, types) for event, types in plans if event.slug not in existing]
        for start in range(0, len(missing), BATCH):
            batch = missing[start : start + BATCH]
            with transaction.atomic():
                events = Event.objects.bulk_create([event for event, _ in batch], batch_size=BATCH)
                if any(event.pk is None for event in events):  # back ends that do not return ids
                    ids = dict(Event.objects.filter(slug__in=[e.slug for e in events]).values_list("slug", "pk"))
                    for event in events:
                        event.pk = ids[event.slug]
                ticket_types = [TicketType(event_id=event.pk, **fields) for event, types in batch for fields in types]
                TicketType.objects.bulk_create(ticket_types, batch_size=BATCH)
            self.progress(min(start + BATCH, len(missing)), len(missing))
        if missing:
            self.stdout.write("")
        return len(missing)

    def plan(self, number, categories, organizers, image):
        rng = random.Random(number)  # noqa: S311 - deterministic demo data, not security
        category = categories[number % len(categories)]
        city, latitude, longitude, venues = CITIES[rng.randrange(len(CITIES))]
        stem = rng.choice(TITLES.get(category.slug, TITLES["other"]))
        title = f"{stem} {city}"
        days = -rng.randint(1, 180) if rng.random() < 0.15 else rng.randint(1, 120)
        start_date = timezone.localdate() + timedelta(days=days)
        start_time = datetime.min.replace(hour=rng.choice([10, 12, 14, 16, 18, 19, 20])).time()
        organizer = organizers[number % len(organizers)]
        event = Event(
            organizer=organizer,
            category=category,
            title=title,
            slug=f"{slugify(title)}-{number}",
            short_description=f"{stem} in {city}: an afternoon and evening you will talk about for weeks.",
            description=(
                f"## {title}\n\nJoin us at {venues[0]} for {stem.lower()}. Doors open an hour before the start. "
                "Tickets are delivered by e-mail with a QR code; bring it on your phone."
            ),
            venue_name=rng.choice(venues),
            venue_address=f"{rng.randint(1, 99)} Main Street, {city}",
            venue_city=city,
            latitude=Decimal(str(latitude)),
            longitude=Decimal(str(longitude)),
            start_date=start_date,
            start_time=start_time,
            end_date=start_date + timedelta(days=1 if rng.random() < 0.1 else 0),
            is_published=rng.random() < 0.95,
            payment_profile=organizer.demo_profile,
            featured_image=image,
            max_attendees=1,
        )
        event.fill_derived_fields()
        types = self.ticket_types(rng, event)
        event.max_attendees = sum(item["quantity"] for item in types) + rng.choice([0, 50, 100])
        return event, types

    def ticket_types(self, rng, event):
        free = rng.random() < 0.2
        names = rng.sample(TICKET_NAMES, rng.randint(1, 4))
        prices = sorted(rng.sample(PRICES, len(names)))
        opens = event.starts_at - timedelta(days=60)
        types = []
        for name, price in zip(names, prices, strict=True):
            quantity = rng.choice([50, 100, 200, 500])
            types.append(
                {
                    "name": name,
                    "description": f"{name} admission.",
                    "price": Decimal("0") if free else price,
                    "quantity": quantity,
                    "min_purchase": 1,
                    "max_purchase": min(10, quantity),
                    "available_from": opens,
                    "available_until": event.starts_at,
                }
            )
        return types

    def progress(self, done, total):
        width = 30
        filled = width * done // total
        self.stdout.write(f"\rSeeding events [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending="")
        sys.stdout.flush()
