"""The Celery app of a configured casa311, for the worker and beat processes:

    celery -A citizen_api.worker:celery worker --loglevel=INFO      # sends messages
    celery -A citizen_api.worker:celery beat --loglevel=INFO        # sweep + erasure schedule

(or one process: `worker --beat`). Reads the same environment as the web app.
"""

from __future__ import annotations

from citizen_api import create_app
from citizen_api.notify import notifier_of

flask_app = create_app()
celery = notifier_of(flask_app).celery
