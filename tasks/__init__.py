"""Running due work and the outbox: an in-process loop for the embedded default (Celery comes later)."""
