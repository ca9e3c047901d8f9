"""pgbench baselines that bench/capture_sql.py cannot derive by itself (bench/pgbench/).

The read scenarios' baselines are rendered at run time from the app's own statement log
(bench/capture_sql.py: every round trip of one request, parameters as literals). A
report's filing writes unique values (tracking code, phone, ids that later statements
use), so its script is written by hand from that log, statement for statement, with
pgbench variables where the app's values must differ per report: re-check it against
`python -m bench.capture_sql` whenever the write path changes.
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent / "pgbench"
# The pgbench reports' phone numbers: +2127 and a counter (the app's bench reports use
# random +2126 numbers), so no two collide.
SETUP = "CREATE SEQUENCE IF NOT EXISTS bench_phone_seq"
CREATE_ORM = (HERE / "create_orm.sql").read_text()  # main before issue 15, kept to compare
LIST_GENERAL = (HERE / "list_general.sql").read_text()
# What the app runs today to file a report (on PostgreSQL).
CREATE = (HERE / "create_cte.sql").read_text()
