"""Request and response shapes of the purchase and payment endpoints (CONTRACT.md §6)."""
