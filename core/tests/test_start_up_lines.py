"""config/startup.py: what a server says when it starts, said once per server, not once per
gunicorn worker."""

import logging
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest

import core.logging
from config.startup import start_up_lines

GUNICORN = runpy.run_path(str(Path(__file__).resolve().parents[2] / "config" / "gunicorn.py"))


@pytest.fixture(autouse=True)
def _say_them_again():
    yield
    core.logging.say_start_up_lines = True


@pytest.mark.django_db
def test_a_server_says_whether_the_api_is_open_and_how_sign_ins_lock_out(caplog):
    caplog.set_level(logging.INFO)
    start_up_lines()
    assert caplog.messages == [
        "No API keys are configured: the API is open to anyone who can reach it.",
        "Sign-in lockout (the admin, the console): 5 failures in a row lock the username and "
        "the address for 15 minutes",
    ]


@pytest.mark.parametrize(("age", "says"), [(1, True), (2, False), (7, False)])
def test_only_the_first_gunicorn_worker_of_a_start_says_them(age, says):
    GUNICORN["post_fork"](None, SimpleNamespace(age=age))
    assert core.logging.say_start_up_lines is says


def test_the_other_workers_say_nothing(caplog):
    caplog.set_level(logging.INFO)
    core.logging.say_start_up_lines = False
    start_up_lines()
    assert caplog.messages == []
