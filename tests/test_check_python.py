"""requirements/check_python.py: `make run` on a Python the lock files are not made for says so
before it makes .venv, in words, never with a traceback."""

import runpy
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[1]
# A script, not a module of the project: make runs it with whatever python3 is there.
check_python = SimpleNamespace(**runpy.run_path(str(ROOT / "requirements" / "check_python.py")))


def test_the_range_is_pyprojects():
    assert check_python.supported() == ((3, 11), (3, 14))


def test_an_older_python_is_refused_with_what_to_do(capsys):
    assert check_python.main((3, 10)) == 1
    assert capsys.readouterr().err == (
        "This is Python 3.10; the service needs Python 3.11–3.13. Name another with PYTHON, "
        "e.g. PYTHON=python3.13 make run\n"
    )


@pytest.mark.parametrize("version", [(3, 11), (3, 12), (3, 13)])
def test_each_python_of_the_range_goes_ahead_without_a_word(capsys, version):
    assert check_python.main(version) == 0
    assert capsys.readouterr().err == ""


def test_a_newer_python_goes_ahead_with_a_warning(capsys):
    assert check_python.main((3, 14)) == 0
    assert capsys.readouterr().err == (
        "Warning: Python 3.14 is newer than the 3.11–3.13 the lock files are tested on; if the "
        "install fails, use one of those: PYTHON=python3.13 make run\n"
    )


def test_it_runs_as_make_runs_it():
    done = subprocess.run(
        [sys.executable, "requirements/check_python.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")


@pytest.mark.skipif(
    not Path.home().joinpath(".pyenv/versions/3.10.13/bin/python").is_file(),
    reason="no Python 3.10 on this machine",
)
def test_an_old_python_gets_the_message_not_a_traceback():
    old = Path.home() / ".pyenv/versions/3.10.13/bin/python"
    done = subprocess.run(
        [old, "requirements/check_python.py"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
    assert done.stderr.startswith("This is Python 3.10; the service needs Python 3.11–3.13.")
