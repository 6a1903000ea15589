"""Debian's chromium for Playwright: no browser is ever downloaded (`playwright install` is
never run), so the tests and the screenshots launch the chromium on PATH with these flags."""

import shutil
from collections.abc import Callable
from typing import Any

from playwright.sync_api import BrowserContext, ConsoleMessage, Page, expect

from console.tests.live import PASSWORD, ROOT

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


PHONE = {"width": 390, "height": 844}
DESK = {"width": 1440, "height": 900}


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def launch(playwright: Any) -> Any:
    path = chromium_path()
    if path is None:
        raise RuntimeError("chromium is not on PATH: apt-get install -y chromium")
    return playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)


# Every page runs under the Content-Security-Policy (config/settings/base.py): a violation the
# browser reports, as an event or on the console, fails the test that met it.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} on ${location.pathname}`
    + ` (${event.sourceFile}:${event.lineNumber})`
  );
});
"""


def watch_for_violations(context: BrowserContext) -> list[str]:
    violations: list[str] = []
    context.expose_binding("reportViolation", lambda source, text: violations.append(text))
    context.add_init_script(REPORT_VIOLATIONS)

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Permissions-Policy" in message.text:
            violations.append(f"console: {message.text}")

    context.on("console", on_console)
    return violations


def sign_in(page: Page, name: str) -> None:
    page.goto("/console/sign-in/")
    page.get_by_label("Username", exact=True).fill(name)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def register(page: Page, first: str, phone: str, income: str = "80000") -> str:
    """A new customer through the form; returns the customer page's address."""
    page.goto("/console/customers/")
    page.get_by_label("First name", exact=True).fill(first)
    page.get_by_label("Last name", exact=True).fill("Browser")
    page.get_by_label("Age", exact=True).fill("34")
    page.get_by_label("Monthly income", exact=True).fill(income)
    page.get_by_label("Phone number", exact=True).fill(phone)
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", name=f"{first} Browser")).to_be_visible()
    return page.url


def apply(page: Page, customer: str, amount: str, rate: str = "14", tenure: str = "12") -> None:
    page.goto(customer)
    page.get_by_role("link", name="New application").click()
    page.get_by_label("Loan amount", exact=True).fill(amount)
    page.get_by_label("Interest rate", exact=True).fill(rate)
    page.get_by_label("Tenure (months)", exact=True).fill(tenure)


def wait_until(condition: Callable[[], bool], page: Page, seconds: float = 10) -> None:
    for _ in range(int(seconds * 100)):
        if condition():
            return
        page.wait_for_timeout(10)
    raise AssertionError("the browser did not send the request")


def scrolls_sideways(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth > window.innerWidth"))


AXE = ROOT / "console" / "tests" / "axe" / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page: Page) -> list[str]:
    """What axe-core finds on the page as it is: each violation with the elements it names.
    Evaluated by the browser's devtools protocol, which the Content-Security-Policy allows."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    found = page.evaluate(
        "axe.run(document, {resultTypes: ['violations']}).then(result => result.violations.map("
        "v => `${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(' ')).join(', ')})`))"
    )
    return [f"{page.url}: {violation}" for violation in found]


def htmx_settled(page: Page) -> None:
    """Wait until no htmx request is in flight and no swap is settling: a click on what a swap
    is about to replace lands on nothing."""
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)
