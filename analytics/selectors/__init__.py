"""Reads behind the organizer's dashboards and the stats pages (CONTRACT.md §8, §9), one module per area.

Every selector answers in a fixed number of queries, whatever the number of tickets: figures are
aggregated in the database, never by walking rows in Python. "Sold" always means issued (active or
used): checked-in tickets count as sold, refunded and cancelled ones do not (§1.11). Selectors return
dataclasses; the serializers in `analytics.serializers` are generated from them, so every field is
declared once.
"""
