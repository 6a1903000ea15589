"""core.logging.LogLines: a command's output as log records, one per whole line."""

from core.logging import LogLines


def test_each_whole_line_is_one_record_and_a_partial_one_waits():
    logged: list[str] = []
    stream = LogLines(logged.append)
    stream.write("Operations to perform:\n  Apply all\n")
    stream.write("  Applying a.0001...")
    stream.flush()
    assert logged == ["Operations to perform:", "Apply all"]
    stream.write(" OK\n\n   \n")
    assert logged == ["Operations to perform:", "Apply all", "Applying a.0001... OK"]


def test_closing_logs_what_is_left_once():
    logged: list[str] = []
    stream = LogLines(logged.append)
    stream.write("no newline at the end")
    stream.close()
    stream.close()
    assert logged == ["no newline at the end"]
