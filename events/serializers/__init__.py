"""Input validation and output shapes of the events app (I/O only; rules live in services)."""
