"""HTTP views of the tickets app (CONTRACT.md §7)."""
