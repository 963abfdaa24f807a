"""HTTP endpoints of the accounts domain, one module per area."""
