"""A worker that dies mid-request, run as its own process by the tests:

    python -m tests.notifications.whatsapp.killed_worker '<app config>' '<webhook form>'

It posts one signed inbound message and is killed (SIGKILL, as the OOM killer or a
deploy would) right after the report was filed inside the message's transaction, before
the commit: nothing it did may survive, and Twilio's retry must file the report once.
"""

from __future__ import annotations

import json
import os
import signal
import sys

import citizen_api.intake.door as door
from tests.helpers import make_app
from tests.notifications.whatsapp.support import Resident


def main() -> None:
    config, params = json.loads(sys.argv[1]), json.loads(sys.argv[2])
    app = make_app(config.pop("DATABASE_URL"), **config)
    real = door.file_report

    def file_then_die(session, **fields):
        report = real(session, **fields)
        session.flush()  # the report and its receipt are written, not committed
        os.kill(os.getpid(), signal.SIGKILL)
        return report

    door.file_report = file_then_die
    Resident(app.test_client()).post(params)
    sys.exit("the worker was not killed")


if __name__ == "__main__":
    main()
