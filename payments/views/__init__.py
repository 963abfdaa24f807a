"""HTTP endpoints of the payments domain, one module per area."""
