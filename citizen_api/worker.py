"""The Celery app of a configured casa311, for the Celery worker process (with a broker):

    celery -A citizen_api.worker:celery worker --loglevel=INFO      # sends messages

Reads the same environment as the web app. The periodic jobs are not Celery's: they run
in `flask --app citizen_api worker` (citizen_api/background.py).
"""

from __future__ import annotations

from citizen_api import create_app
from citizen_api.notify import notifier_of

flask_app = create_app()
celery = notifier_of(flask_app).celery
