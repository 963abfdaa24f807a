"""Small helpers for writing with as few round trips as the database allows."""

from contextlib import nullcontext

from django.db import transaction


def guard_integrity_error(using=None):
    """Where an INSERT may meet a unique constraint: a savepoint inside a transaction (so the error does not
    break it), nothing in autocommit mode, where the statement is its own transaction (no BEGIN/COMMIT
    round trips around it)."""
    if transaction.get_connection(using).in_atomic_block:
        return transaction.atomic(using=using)
    return nullcontext()
