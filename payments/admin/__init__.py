"""Django admin of the payments domain, one module per area."""

from payments.admin import checkout  # noqa: F401 (registers the model admins)
