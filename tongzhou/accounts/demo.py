"""The demo accounts' well-known password (demo mode only, printed on the log-in page)."""

DEMO_PASSWORD = "tongzhou-demo"  # noqa: S105 (demo mode only, printed on the log-in page)
