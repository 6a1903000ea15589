"""Every URL pattern the project declares, with every method, with the database unreachable:
each answer that needs it is a 503 with Retry-After (the people's pages an HTML page, the API
its envelope), never a 500, under the settings of `make run` (DEBUG on) and of `make serve`
(production, collected static files), signed in or not."""

import pytest

from tests.outage import (
    WITH_A_CONFIGURED_KEY,
    WITHOUT_THE_DATABASE,
    assert_every_answer_that_needs_the_database_is_503,
    assert_no_server_error_but_503s_with_retry_after,
    local,
    production,
    unreachable_database,
    walk,
)

pytestmark = pytest.mark.slow


def test_with_the_database_unreachable_make_run_answers_every_page_503(tmp_path):
    answers = walk(local({"DATABASE_URL": unreachable_database(tmp_path)}), tmp_path)
    assert_no_server_error_but_503s_with_retry_after(answers)
    assert_every_answer_that_needs_the_database_is_503(answers, WITHOUT_THE_DATABASE)


def test_with_the_database_unreachable_make_serve_answers_every_page_503(tmp_path, static_root):
    answers = walk(
        production({"DATABASE_URL": unreachable_database(tmp_path)}, static_root), tmp_path
    )
    assert_no_server_error_but_503s_with_retry_after(answers)
    assert_every_answer_that_needs_the_database_is_503(
        answers, WITHOUT_THE_DATABASE | WITH_A_CONFIGURED_KEY
    )


def test_with_the_database_unreachable_signing_in_is_503_too(tmp_path, static_root):
    """No session cookie and no key: pages send the person to sign in, which is a 503."""
    env = {"DATABASE_URL": unreachable_database(tmp_path), "WALK_ANONYMOUS": "1"}
    answers = walk(production(env, static_root), tmp_path)
    assert_no_server_error_but_503s_with_retry_after(answers)
    signing_in = {
        (a["name"], a["method"]): a["status"] for a in answers if a["name"].endswith("login")
    }
    assert signing_in[("admin:login", "POST")] == 503
    console = {(a["name"], a["method"]): a["status"] for a in answers if a["name"]}
    assert console[("console:sign-in", "POST")] == 503
    assert console[("console:sign-in", "GET")] == 200  # the form needs no database
    assert console[("console:dashboard", "GET")] == 302  # to the sign-in page
