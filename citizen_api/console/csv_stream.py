"""CSV for people who open it in Excel or LibreOffice: UTF-8 with a byte-order mark,
written a row at a time (never the whole file in memory), and every cell that a
spreadsheet would read as a formula neutralised (OWASP's "CSV injection"): a cell
starting with =, +, -, @, a tab or a carriage return gets a leading apostrophe.
Phone-like numbers in free text are masked, as in the logs."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from citizen_api.web.logs import mask_phones

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Rows gathered before a chunk is sent: large enough to keep the overhead low, small
# enough to keep the memory flat whatever the number of rows.
CHUNK_ROWS = 500


def cell(value) -> str:
    """One cell as text, safe to open in a spreadsheet."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return str(value)  # a number (even a negative one) is a number, not a formula
    text = mask_phones(str(value))
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_chunks(header: list[str], rows: Iterable[Iterable]) -> Iterator[bytes]:
    """The CSV file in chunks of bytes: the BOM and the header first (so an empty
    result is still a file with its header), then the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow([cell(h) for h in header])
    pending = 0
    for row in rows:
        writer.writerow([cell(v) for v in row])
        pending += 1
        if pending >= CHUNK_ROWS:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue().encode("utf-8")
