"""Write use-cases of the accounts domain, one module per area."""
