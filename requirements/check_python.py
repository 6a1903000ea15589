"""Whether the Python that is about to make .venv is one the lock files are made for: the range
pyproject.toml's requires-python names. Older stops with a message; newer only warns, as the
lock may still install there. Standard library only, and no syntax newer than Python 3.7, so
that an old python3 gets the message rather than a traceback."""

from __future__ import annotations

import re
import sys
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def supported() -> tuple[tuple[int, int], tuple[int, int]]:
    """((3, 11), (3, 14)) from `requires-python = ">=3.11,<3.14"`."""
    found = re.search(
        r'^requires-python = ">=(\d+)\.(\d+),<(\d+)\.(\d+)"$', PYPROJECT.read_text(), re.MULTILINE
    )
    if found is None:
        raise SystemExit("pyproject.toml names no requires-python of the form >=3.X,<3.Y")
    numbers = [int(part) for part in found.groups()]
    return (numbers[0], numbers[1]), (numbers[2], numbers[3])


def main(here: tuple[int, int] | None = None) -> int:
    """0 for a Python the lock files are made for (or a newer one, warned about), else 1."""
    lowest, beyond = supported()
    highest = (beyond[0], beyond[1] - 1)
    if here is None:
        here = (sys.version_info[0], sys.version_info[1])
    named = "{}.{}–{}.{}".format(*lowest, *highest)
    if here < lowest:
        sys.stderr.write(
            "This is Python {}.{}; the service needs Python {}. Name another with PYTHON, "
            "e.g. PYTHON=python3.{} make run\n".format(*here, named, highest[1])
        )
        return 1
    if here >= beyond:
        sys.stderr.write(
            "Warning: Python {}.{} is newer than the {} the lock files are tested on; if the "
            "install fails, use one of those: PYTHON=python3.{} make run\n".format(
                *here, named, highest[1]
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
