from datetime import date

import pytest

from ingestion.readers import UnreadableFile, looks_like_spreadsheet, open_sheet

COLUMNS = ["Customer ID", "Loan ID", "Date of Approval"]


def rows_of(path, reader="calamine"):
    with open_sheet(path, COLUMNS, reader=reader) as sheet:
        return sheet.estimated_rows, list(sheet.rows)


@pytest.mark.parametrize("reader", ["calamine", "openpyxl"])
def test_headers_match_despite_case_spaces_order_and_extra_columns(write_xlsx, reader):
    path = write_xlsx(
        [
            ["x", 3.0, date(2020, 1, 2), 1.0],
            [None, None, None, None],  # a blank row inside is skipped, not an error
            ["y", 4.0, date(2021, 1, 2), 2.0],
            [None, None, None, None],
            [None, None, None, None],
        ],
        header=["Notes", "  loan   ID ", "DATE OF APPROVAL", "customer id"],
    )
    estimated, rows = rows_of(path, reader)
    # calamine gives floats and dates, openpyxl ints and datetimes: the converters take both.
    assert [(number, cells[:2]) for number, cells in rows] == [(2, [1, 3]), (4, [2, 4])]
    assert [str(cells[2])[:10] for _, cells in rows] == ["2020-01-02", "2021-01-02"]
    assert estimated == {"calamine": 3, "openpyxl": 5}[reader]  # openpyxl counts blank rows


@pytest.mark.parametrize("reader", ["calamine", "openpyxl"])
def test_a_row_of_only_whitespace_is_blank_too(write_xlsx, reader):
    path = write_xlsx(
        [["  ", None, None], [1.0, 2.0, "2020-01-01"], [" ", "\t", "  \n"], ["", " ", None]],
        header=COLUMNS,
    )
    rows = rows_of(path, reader)[1]
    assert [(number, cells[:2]) for number, cells in rows] == [(3, [1, 2])]


def test_rows_keep_their_excel_numbers_below_leading_blank_rows(write_xlsx):
    path = write_xlsx([[None], [None], COLUMNS, [1.0, 2.0, "2020-01-01"]])
    assert rows_of(path) == (1, [(4, [1.0, 2.0, "2020-01-01"])])


def test_a_missing_column_is_named(write_xlsx):
    path = write_xlsx([[1.0]], header=["Customer ID", "Loan Id"])
    with pytest.raises(UnreadableFile) as error:
        rows_of(path)
    assert error.value.message == "Missing required column 'Date of Approval'."
    assert error.value.column == "Date of Approval"
    assert error.value.row == 1


@pytest.mark.parametrize("reader", ["calamine", "openpyxl"])
def test_a_missing_column_is_placed_on_the_header_row_below_blank_rows(write_xlsx, reader):
    path = write_xlsx([[None], [None], ["Customer ID", "Loan ID"], [1.0, 2.0]])
    with pytest.raises(UnreadableFile) as error:
        rows_of(path, reader)
    assert (error.value.row, error.value.column) == (3, "Date of Approval")


def test_several_missing_columns_are_all_named(write_xlsx):
    path = write_xlsx([[1.0]], header=["Customer ID"])
    with pytest.raises(UnreadableFile, match="columns 'Loan ID', 'Date of Approval'"):
        rows_of(path)


def test_an_empty_sheet_has_no_header(write_xlsx):
    with pytest.raises(UnreadableFile, match="empty"):
        rows_of(write_xlsx([]))


@pytest.mark.parametrize("reader", ["calamine", "openpyxl"])
def test_a_single_requested_column_comes_as_a_one_cell_list(write_xlsx, reader):
    # itemgetter of one position gives the bare cell, not a tuple: a text cell must not split.
    path = write_xlsx([["ab", 1.0]], header=["Name", "Customer ID"])
    with open_sheet(path, ["Name"], reader=reader) as sheet:
        assert list(sheet.rows) == [(2, ["ab"])]


def test_openpyxl_pads_short_rows(write_xlsx):
    path = write_xlsx([[1.0]], header=COLUMNS)
    assert rows_of(path, "openpyxl")[1] == [(2, [1, None, None])]


def test_a_file_calamine_cannot_open_falls_back_to_openpyxl_then_fails(tmp_path, caplog):
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(UnreadableFile, match=r"Not a readable \.xlsx workbook"):
        rows_of(path)
    assert "trying openpyxl" in caplog.text


def test_the_signature_check():
    assert looks_like_spreadsheet(b"PK\x03\x04rest")
    assert not looks_like_spreadsheet(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")  # .xls: not read
    assert not looks_like_spreadsheet(b"Customer ID,First Name")
