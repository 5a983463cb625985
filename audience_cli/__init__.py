"""audience-cli: manage Atoms calling audiences from a terminal, a script or cron."""

__version__ = "0.1.0"
