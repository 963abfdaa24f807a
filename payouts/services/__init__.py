"""Write use-cases of payouts, one module per area (DESIGN.md §2)."""
