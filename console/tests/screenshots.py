"""`make screenshots`: every console page as a PNG in docs/console/, taken by Debian's
chromium from a live console (the embedded default, a fresh SQLite database): the history
files uploaded through the page (the original ones from ../shared/data when present, else
generated ones), a month of activity (console.demo), a booking, a refusal, a draft policy and
its simulation. The same data every run."""

import re
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

from console.tests.browser import launch
from console.tests.live import PASSWORD, ROOT, LiveConsole, live_console

OUT = ROOT / "docs" / "console"
SHARED_DATA = ROOT.parent / "shared" / "data"
VIEWPORT = {"width": 1440, "height": 900}


def history_files(folder: Path) -> tuple[Path, Path]:
    if (SHARED_DATA / "customer_data.xlsx").exists():
        return SHARED_DATA / "customer_data.xlsx", SHARED_DATA / "loan_data.xlsx"
    subprocess.run(
        [sys.executable, "manage.py", "generate_sample_data", "--xlsx", str(folder)],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    return folder / "customer_data.xlsx", folder / "loan_data.xlsx"


# The shots taken at an address (the others are of the page a step of the tour leaves open),
# with the ids the tour fills in; console/tests/test_screenshots.py opens each as an admin.
SHOT_AT = {
    "01-sign-in": "/console/sign-in/",
    "02-dashboard": "/console/",
    "03-customers": "/console/customers/?q=Sharma",
    "04-customer": "/console/customers/{customer}/",
    "07-decisions": "/console/decisions/",
    "10-ingestion": "/console/ingestion/",
    "11-policies": "/console/policies/",
    "12-compare": "/console/policies/compare/?left=1&right={draft}",
    "13-activate": "/console/policies/{draft}/activate/",
    "15-draft-form": "/console/policies/draft/",
    "16-sanction-letter": "/console/loans/{loan}/sanction-letter/",
    "17-statement": "/console/loans/{loan}/statement/",
    "18-schedule": "/console/loans/{loan}/schedule/",
    "19-receipt": "/console/loans/{loan}/payments/{payment}/receipt/",
    "20-loans": "/console/loans/",
    "21-collections": "/console/collections/",
    "22-policy": "/console/policies/1/",
    "23-edit-draft": "/console/policies/{draft}/edit/",
    "24-simulations": "/console/simulations/",
    "25-approvals": "/console/approvals/",
    "26-people": "/console/people/",
    "27-not-found": "/console/no-such-page/",
}
# The customer the tour applies for: the second of the history files.
CUSTOMER = 2


def shoot(page: Page, name: str, **ids: str | int) -> None:
    """The page a step left open, or the shot's address (SHOT_AT) filled with `ids`."""
    if name in SHOT_AT:
        page.goto(SHOT_AT[name].format(customer=CUSTOMER, **ids))
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)
    print(f"docs/console/{name}.png")


def sign_in(page: Page, name: str) -> None:
    page.goto("/console/sign-in/")
    page.get_by_label("Username", exact=True).fill(name)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def tour(page: Page, console: LiveConsole, files: tuple[Path, Path]) -> None:
    shoot(page, "01-sign-in")
    sign_in(page, "lead")
    page.goto("/console/ingestion/")
    page.get_by_label("Customers file (customer_data.xlsx)", exact=True).set_input_files(files[0])
    page.get_by_label("Loans file (loan_data.xlsx)", exact=True).set_input_files(files[1])
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".badge.large")).to_have_text("succeeded", timeout=120_000)
    shoot(page, "09-ingestion-job")
    console.manage(
        "shell", "-c", "from console.demo import seed_activity; from core import clock; "
        "seed_activity(clock.today())",
    )  # fmt: skip
    shoot(page, "02-dashboard")
    shoot(page, "03-customers")
    page.goto(f"/console/customers/{CUSTOMER}/apply/")
    page.get_by_label("Loan amount", exact=True).fill("2500000")
    page.get_by_label("Interest rate", exact=True).fill("11")
    page.get_by_label("Tenure (months)", exact=True).fill("24")
    page.get_by_role("button", name="Check eligibility").click()
    expect(page.locator("#decision .verdict")).to_be_visible()
    shoot(page, "05-application-refused")
    offer = page.locator("#decision").get_by_role("button", name=re.compile(r"^Use ₹ ")).first
    if offer.count():
        offer.click()
    page.get_by_role("button", name="Book loan").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Loan \d+$"))).to_be_visible()
    page.get_by_label("Amount", exact=True).fill("5000")
    page.get_by_role("button", name="Record payment").click()
    shoot(page, "06-loan")
    loan = page.url.rstrip("/").rsplit("/", 1)[-1]
    receipt = page.get_by_role("link", name="Receipt").first.get_attribute("href") or ""
    payment = receipt.rstrip("/").split("/")[-2]
    for paper in ("16-sanction-letter", "17-statement", "18-schedule"):
        shoot(page, paper, loan=loan)
    shoot(page, "19-receipt", loan=loan, payment=payment)
    shoot(page, "04-customer")
    shoot(page, "20-loans")
    shoot(page, "21-collections")
    shoot(page, "07-decisions")
    first = page.locator("table a[href^='/console/decisions/']").first
    first.click()
    shoot(page, "08-decision")
    shoot(page, "10-ingestion")
    page.goto("/console/policies/draft/")
    page.get_by_label("Minimum score", exact=True).fill("60")
    page.get_by_label("Weight: repayment on time", exact=True).fill("40")
    page.get_by_label("Weight: approved volume", exact=True).fill("10")
    page.get_by_role("button", name="Save draft").click()
    draft = page.url.rstrip("/").rsplit("/", 1)[-1]
    shoot(page, "11-policies")
    shoot(page, "12-compare", draft=draft)
    shoot(page, "13-activate", draft=draft)
    shoot(page, "22-policy")
    shoot(page, "23-edit-draft", draft=draft)
    page.goto("/console/simulations/")
    page.get_by_label("Candidate version", exact=True).select_option(draft)
    page.get_by_label("Decisions from", exact=True).fill("2020-01-01")
    page.get_by_label("Decisions to", exact=True).fill("2030-12-31")
    page.get_by_role("button", name="Start simulation").click()
    expect(page.locator(".badge.large")).to_have_text("succeeded", timeout=60_000)
    shoot(page, "14-simulation")
    shoot(page, "15-draft-form")
    for name in ("24-simulations", "25-approvals", "26-people", "27-not-found"):
        shoot(page, name)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as folder,
        live_console(Path(folder), production=False) as console,
    ):
        console.staff("lead", "admin")
        files = history_files(Path(folder))
        with sync_playwright() as playwright:
            browser = launch(playwright)
            page = browser.new_context(base_url=console.base, viewport=VIEWPORT).new_page()
            tour(page, console, files)
            browser.close()


if __name__ == "__main__":
    main()
