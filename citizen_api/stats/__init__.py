"""Open statistics: per area, service type and month, read from aggregate tables kept
current by models.stats (never a scan of the reports)."""
