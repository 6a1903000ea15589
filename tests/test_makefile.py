"""The Makefile's virtualenv rules on a fresh clone: two makes at once (`make run` and `make
worker` typed together) create .venv once and install once, and both succeed."""

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_two_makes_at_once_create_the_virtualenv_once(tmp_path):
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "requirements").mkdir()
    shutil.copy(ROOT / "requirements" / "check_python.py", tmp_path / "requirements")
    # A stand-in lock file: pip, which every new virtualenv has, so nothing is downloaded.
    (tmp_path / "requirements" / "base.txt").write_text("pip\n")
    both = [
        subprocess.Popen(
            ["make", "--no-print-directory", ".venv/.installed-base"],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [make.communicate(timeout=300)[0] for make in both]
    assert [make.returncode for make in both] == [0, 0], outputs
    said = [line for output in outputs for line in output.splitlines()]
    assert said.count("Creating .venv") == 1, said
    assert said.count("Installing requirements/base.txt") == 1, said
    assert (tmp_path / ".venv" / ".installed-base").is_file()
    python = tmp_path / ".venv" / "bin" / "python"
    assert subprocess.run([python, "-c", "import pip"], check=False).returncode == 0
