"""Input and output shapes of the accounts endpoints, one module per area."""
