"""Admin for payments and purchases; filled by the checkout HTTP layer."""
