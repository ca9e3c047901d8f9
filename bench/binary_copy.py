"""PostgreSQL's binary COPY format, built by numpy a whole column at a time.

A binary COPY row is a field count, then per field its length and its bytes (-1 and
nothing for NULL): big-endian integers, timestamps as microseconds since 2000-01-01,
text as its bytes, PostGIS geometry as EWKB. When every field of a group of rows has
one width (fixed-size numbers, codes of one length, one status...), the group is a
numpy structured array and its bytes are the COPY data: no Python per row, and nothing
for PostgreSQL to parse (no text to number or timestamp, no hex EWKB).
"""

from __future__ import annotations

import numpy as np

HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # signature, flags, header extension length
TRAILER = b"\xff\xff"
EPOCH_2000 = 946_684_800  # 2000-01-01 UTC, PostgreSQL's zero for timestamps


def rows(fields: list[tuple[str, object]], n: int) -> bytes:
    """`n` rows of binary COPY data. Each field is (kind, value): ("int8", integers),
    ("timestamptz", epoch seconds: whole seconds are kept), ("bytes", an (n, width)
    uint8 array or one bytes value for every row), ("null", None).

    One row is laid out once (the field count, every length, every constant), repeated
    n times, then each varying field is written into its columns of bytes."""
    template = bytearray(len(fields).to_bytes(2, "big"))
    slots = []
    for kind, value in fields:
        if kind == "null":
            template += b"\xff\xff\xff\xff"
            continue
        if kind in ("int8", "timestamptz"):
            width = 8
        else:
            width = len(value) if isinstance(value, bytes) else value.shape[1]
        template += width.to_bytes(4, "big")
        if isinstance(value, bytes):
            template += value
        else:
            slots.append((len(template), width, kind, value))
            template += bytes(width)
    out = np.tile(np.frombuffer(bytes(template), np.uint8), (n, 1))
    for offset, width, kind, value in slots:
        if kind == "timestamptz":
            value = (np.floor(value).astype(np.int64) - EPOCH_2000) * 1_000_000
        if kind in ("int8", "timestamptz"):
            value = np.asarray(value).astype(">i8").view(np.uint8).reshape(n, 8)
        out[:, offset : offset + width] = value
    return out.tobytes()
