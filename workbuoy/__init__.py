"""WorkBuoy Desktop: the offline-first client of the WorkBuoy CRM portal."""

__version__ = "0.1.0"
