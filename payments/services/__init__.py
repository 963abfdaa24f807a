"""Write use-cases of the payments domain, one module per area (DESIGN.md §3)."""
