"""Debian's chromium for Playwright: no browser is ever downloaded (`playwright install` is
never run), so the tests and the screenshots launch the chromium on PATH with these flags."""

import shutil
from typing import Any

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def launch(playwright: Any) -> Any:
    path = chromium_path()
    if path is None:
        raise RuntimeError("chromium is not on PATH: apt-get install -y chromium")
    return playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
