"""gunicorn's logger with casa311's log filter on its error and access logs.

gunicorn writes its access log through its own loggers (not the root logger the app
configures), with the request path already decoded: without this class a `%0a` in a URL
forges a line and `/r/06%2012%2034%2056%2078` logs a phone number. gunicorn.conf.py sets
`logger_class` to it.
"""

from __future__ import annotations

from gunicorn.glogging import Logger

from citizen_api.web.logs import install


class SafeGunicornLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        install(self.error_log)
        install(self.access_log)
