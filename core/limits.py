"""Bounds every app shares: models, API declarations, path converters and the spreadsheet checks
all read them, so a value one accepts the others can store."""

# Every primary key is a signed 64-bit integer: ids from 1 up to this, in a path or a body.
LARGEST_ID = 2**63 - 1
