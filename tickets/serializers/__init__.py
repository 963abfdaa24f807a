"""Output shapes of the tickets endpoints (CONTRACT.md §7)."""
