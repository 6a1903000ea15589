"""core.csv: no cell of a CSV the service writes runs as a formula when a spreadsheet opens it."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from core.csv import write_csv


def written(rows, header=("a", "b")):
    out = io.StringIO()
    write_csv(out, header, rows)
    return list(csv.reader(io.StringIO(out.getvalue())))


@pytest.mark.parametrize(
    "cell",
    ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x")', "=cmd|'/c calc'!A1"],
)
def test_a_text_cell_a_spreadsheet_would_run_is_written_as_text(cell):
    assert written([[cell, "plain"]])[1] == ["'" + cell, "plain"]


def test_other_cells_are_written_as_they_are():
    rows = written([["Asha", Decimal("-5.00")], [date(2026, 6, 15), 7], ["a=b", "x-y"]])
    assert rows == [["a", "b"], ["Asha", "-5.00"], ["2026-06-15", "7"], ["a=b", "x-y"]]


def test_the_header_is_neutralized_too():
    assert written([], header=("=evil", "ok")) == [["'=evil", "ok"]]
