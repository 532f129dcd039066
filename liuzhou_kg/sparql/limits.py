"""Default limits of every way of running a query (kept apart so the CLI imports nothing else)."""

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_RESULT_BYTES = 64 * 1024 * 1024
