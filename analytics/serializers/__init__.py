"""Response shapes of the dashboards and stats (CONTRACT.md §8, §9)."""
