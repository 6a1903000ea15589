"""What schemathesis cannot draw from the OpenAPI document alone, for tests/test_schemathesis.py:

- an upload's file: the document says it is a zip archive by its first bytes (an .xlsx
  workbook is one), and schemathesis sends files of its own for `format: binary` (a PNG, a
  bare zip, random bytes); a valid one is a workbook, which the test writes to FUZZ_WORKBOOKS
  with the project's own sample generator (invalid requests still send anything else);
- a client's fresh Idempotency-Key for each new valid request: one used before with another
  request is a 422, by the key's contract (docs/idempotency.md), which no document can state
  of a single request."""

import os
import uuid
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import strategies as st
from schemathesis.transport.serialization import Binary

_BOOKS = Path(os.environ["FUZZ_WORKBOOKS"])
schemathesis.openapi.format(
    "binary",
    st.sampled_from(
        [(_BOOKS / name).read_bytes() for name in ("customers.xlsx", "loans.xlsx")]
    ).map(Binary),
)


@schemathesis.hook
def before_call(ctx: Any, case: Any, **kwargs: Any) -> None:
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return
    if case.headers and "Idempotency-Key" in case.headers:
        # A new mapping, never changed in place: schemathesis shares drawn values between cases.
        case.headers = {**case.headers, "Idempotency-Key": str(uuid.uuid4())}
