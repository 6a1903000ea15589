"""core.logging.LogLines: a command's output as log records, one per whole line; migrate's
report through it when MIGRATE_REPORT_TO_LOG is on (test_production_settings.py: as a start-up)."""

import logging

import pytest
from django.core.management import call_command
from django.test import override_settings

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


@pytest.mark.django_db
def test_migrate_reports_through_the_log_when_asked(caplog, capsys):
    caplog.set_level(logging.INFO, logger="core.management.commands.migrate")
    with override_settings(MIGRATE_REPORT_TO_LOG=True):
        call_command("migrate", "--noinput")
    assert [record.getMessage() for record in caplog.records][-2:] == [
        "Running migrations:",
        "No migrations to apply.",
    ]
    assert capsys.readouterr().out == ""
