"""Every console page in a real browser, at a phone's width and at a desk's: one walk per
width, made once by an admin, on which each page is checked for sideways scrolling, for
Content-Security-Policy violations and with axe-core. Its own module (test_browser.py holds the
flows), so that under pytest-xdist the two run on different workers."""

import re
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Page, expect

from conftest import require_or_skip
from console.tests.browser import (
    AXE,
    DESK,
    PHONE,
    apply,
    axe_violations,
    register,
    scrolls_sideways,
    sign_in,
    watch_for_violations,
)

pytestmark = pytest.mark.slow


def latest_ingestion_job(live) -> int:
    """The upload test's job, else one made from a few generated rows (no original files)."""
    ask = (
        "from ingestion.models import IngestionJob; "
        "print(IngestionJob.objects.order_by('-id').values_list('id', flat=True).first())"
    )
    found = live.manage("shell", "-v0", "-c", ask).strip()
    if found == "None":
        live.manage("generate_sample_data", "--customers", "3", "--loans-per-customer", "1")
        found = live.manage("shell", "-v0", "-c", ask).strip()
    return int(found)


@pytest.fixture(scope="module")
def every_page(browser, live, people) -> list[str]:
    """One of each console page, made through the console by an admin (every area is theirs)."""
    live.staff("e2e-walker", "admin")
    context = browser.new_context(base_url=live.base, viewport=DESK)
    page = context.new_page()
    sign_in(page, "e2e-walker")
    customer = register(page, "Walker", "9100000021")
    apply(page, customer, "60000")
    application = page.url
    page.get_by_role("button", name="Book loan").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Loan \d+$"))).to_be_visible()
    loan = page.url
    page.get_by_label("Amount", exact=True).fill("1000")
    page.get_by_role("button", name="Record payment").click()
    receipt = page.get_by_role("link", name="Receipt").get_attribute("href")
    page.goto("/console/decisions/")
    decision = page.locator("table a[href^='/console/decisions/']").first.get_attribute("href")
    page.goto("/console/policies/draft/")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text(re.compile(r"Draft version \d+ is saved\."))).to_be_visible()
    draft = page.url.rstrip("/").rsplit("/", 1)[-1]
    page.goto("/console/simulations/")
    page.get_by_label("Candidate version", exact=True).select_option(draft)
    page.get_by_label("Decisions from", exact=True).fill("2020-01-01")
    page.get_by_label("Decisions to", exact=True).fill("2030-12-31")
    page.get_by_role("button", name="Start simulation").click()
    expect(page.locator(".badge.large")).to_have_text("succeeded", timeout=60_000)
    simulation = page.url
    context.close()
    return [
        "/console/",
        "/console/customers/",
        "/console/customers/?q=Walker",
        customer,
        application,
        loan,
        *papers_of(loan),
        receipt,
        "/console/loans/",
        "/console/loans/?q=Walker&sort=-days_past_due",
        "/console/collections/",
        "/console/decisions/",
        f"{decision}",
        "/console/ingestion/",
        f"/console/ingestion/{latest_ingestion_job(live)}/",
        "/console/policies/",
        "/console/policies/1/",
        f"/console/policies/{draft}/",
        f"/console/policies/{draft}/edit/",
        f"/console/policies/compare/?left=1&right={draft}",
        f"/console/policies/{draft}/activate/",
        "/console/policies/draft/",
        "/console/simulations/",
        simulation,
        "/console/approvals/",
        "/console/people/",
        "/console/no-such-page/",
    ]


@dataclass
class Walk:
    """What one walk of every page at one width found."""

    wide: list[str] = field(default_factory=list)
    axe: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)

    def check(self, page: Page) -> None:
        # goto has waited for the load event and no page fetches anything after it but its
        # fonts (networkidle would add half a second of silence to every page of the walk).
        page.evaluate("document.fonts.ready.then(() => null)")
        if scrolls_sideways(page):
            self.wide.append(page.url)
        if AXE.exists():
            self.axe += axe_violations(page)


@pytest.fixture(scope="module", params=[PHONE, DESK], ids=["390x844", "1440x900"])
def walked(request, browser, live, every_page) -> Walk:
    """The sign-in page, every page as the admin, and the policies page an officer is refused."""
    viewport = request.param
    walk = Walk()
    context = browser.new_context(base_url=live.base, viewport=viewport)
    walk.violations = watch_for_violations(context)
    page = context.new_page()
    page.goto("/console/sign-in/")
    walk.check(page)
    sign_in(page, "e2e-walker")
    for path in every_page:
        page.goto(path)
        walk.check(page)
    context.close()
    officer = browser.new_context(base_url=live.base, viewport=viewport)
    page = officer.new_page()
    sign_in(page, "e2e-officer")
    page.goto("/console/policies/")
    walk.check(page)
    officer.close()
    return walk


def test_no_page_scrolls_sideways(walked):
    assert walked.wide == []
    assert walked.violations == []


def test_axe_finds_no_violation_on_any_page(walked):
    if not AXE.exists():
        require_or_skip(f"axe-core is not installed: make pytest runs npm ci ({AXE})")
    assert walked.axe == []


def test_on_a_phone_the_navigation_folds_behind_menu(browser, live, every_page):
    context = browser.new_context(base_url=live.base, viewport=PHONE)
    page = context.new_page()
    sign_in(page, "e2e-walker")
    navigation = page.get_by_role("navigation", name="Main")
    customers = navigation.get_by_role("link", name="Customers")
    menu = navigation.get_by_role("button", name="Menu")
    expect(customers).to_be_hidden()
    expect(menu).to_have_attribute("aria-expanded", "false")
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    customers.click()
    expect(page.get_by_role("heading", name="Customers", exact=True)).to_be_visible()
    context.close()


def test_without_scripts_the_navigation_stays_open(browser, live, every_page):
    context = browser.new_context(base_url=live.base, viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, "e2e-walker")
    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation.get_by_role("link", name="Customers")).to_be_visible()
    expect(navigation.get_by_role("button", name="Menu")).to_have_count(0)
    context.close()


def test_at_a_desk_the_navigation_is_always_open(browser, live, every_page):
    context = browser.new_context(base_url=live.base, viewport=DESK)
    page = context.new_page()
    sign_in(page, "e2e-walker")
    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation.get_by_role("link", name="Customers")).to_be_visible()
    expect(navigation.get_by_role("button", name="Menu")).to_be_hidden()
    context.close()


def papers_of(loan: str) -> list[str]:
    return [f"{loan}{paper}/" for paper in ("sanction-letter", "statement", "schedule")]


# --- The papers on A4 ----------------------------------------------------------------------

# A4's width less the print stylesheet's margins (210 mm - 2 x 14 mm), in CSS pixels.
A4_PRINTED_WIDTH = round((210 - 2 * 14) / 25.4 * 96)


def test_every_paper_prints_within_a4_without_navigation_or_forms(browser, live, every_page):
    context = browser.new_context(
        base_url=live.base, viewport={"width": A4_PRINTED_WIDTH, "height": 1000}
    )
    page = context.new_page()
    sign_in(page, "e2e-walker")
    papers = [
        path
        for path in every_page
        if re.search(r"/(sanction-letter|statement|schedule|receipt)/$", path)
    ]
    assert len(papers) == 4
    page.emulate_media(media="print")
    for path in papers:
        page.goto(path)
        assert not scrolls_sideways(page), path
        expect(page.get_by_role("link", name="Back to the loan")).to_be_hidden()
        expect(page.locator("form, nav")).to_have_count(0)
        assert page.pdf(format="A4").startswith(b"%PDF"), path
    context.close()
