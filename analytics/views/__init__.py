"""Dashboard, check-in and stats views (CONTRACT.md §8, §9)."""
