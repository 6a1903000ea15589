"""Fixtures of the whole-repository tests."""

import subprocess
import sys

import pytest

from tests.outage import ROOT, production


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """`make serve` collects the static files first: the production pages name hashed ones."""
    folder = tmp_path_factory.mktemp("static")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=production({}, folder),
        check=True,
        capture_output=True,
    )
    return folder
