"""Seed the eight categories of CONTRACT.md §4.1."""

from django.db import migrations

CATEGORIES = [
    ("Music", "music", "FaMusic", "Concerts, live bands, DJs and festivals."),
    ("Sports", "sports", "FaFootballBall", "Matches, races, tournaments and fitness events."),
    ("Arts & Culture", "arts-culture", "FaPaintBrush", "Exhibitions, theatre, dance and heritage."),
    ("Business & Networking", "business-networking", "FaBriefcase", "Conferences, meetups and mixers."),
    ("Food & Drink", "food-drink", "FaUtensils", "Food festivals, tastings and pop-up dinners."),
    ("Comedy", "comedy", "FaLaugh", "Stand-up nights and comedy shows."),
    ("Education & Training", "education-training", "FaGraduationCap", "Workshops, classes and bootcamps."),
    ("Other", "other", "FaCalendarAlt", "Everything else worth going to."),
]


def seed(apps, schema_editor):
    Category = apps.get_model("events", "Category")
    for name, slug, icon, description in CATEGORIES:
        Category.objects.update_or_create(
            slug=slug, defaults={"name": name, "icon": icon, "description": description, "is_active": True}
        )


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
