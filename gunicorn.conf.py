"""gunicorn settings shared by `make run` and the container (gunicorn reads this file
from the working directory)."""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '5000')}"
workers = int(os.environ.get("WORKERS", "2"))
# gunicorn's largest request line (its default is 4094): a queue URL with every filter and
# a cursor fits, so such a request reaches the app and gets its own 422, not an HTML 414.
limit_request_line = 8190
accesslog = "-"
# The path without its query string: nothing a client put in a URL reaches the log.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
# Every line, the access log's included, escaped and with phone numbers masked.
logger_class = "citizen_api.web.access_log.SafeGunicornLogger"


def post_worker_init(worker):
    """Read the service suggester's model (~0.3 s) as each worker starts, so that no
    resident's first suggestion waits for it."""
    from citizen_api.domain.suggest import load_model

    load_model()
