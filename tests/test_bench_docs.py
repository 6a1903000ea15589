"""bench/docs.py replaces only its own block of docs/benchmarks.md and files a new block under its
heading, once: a second run size of the same benchmark does not repeat the heading."""

from bench.docs import replace_block

HEAD = (
    "# Benchmarks\n\n## Simulation\n\n<!-- a:start -->\nold\n\n<!-- a:end -->\n\n## Logs\n\ntext\n"
)


def test_a_block_between_its_markers_is_replaced_and_the_rest_kept() -> None:
    assert replace_block(HEAD, "new", "<!-- a:start -->", "<!-- a:end -->", "## Simulation") == (
        "# Benchmarks\n\n## Simulation\n\n<!-- a:start -->\nnew\n\n<!-- a:end -->\n\n"
        "## Logs\n\ntext\n"
    )


def test_a_new_block_goes_at_the_end_of_its_existing_heading_section() -> None:
    assert replace_block(HEAD, "b", "<!-- b:start -->", "<!-- b:end -->", "## Simulation") == (
        "# Benchmarks\n\n## Simulation\n\n<!-- a:start -->\nold\n\n<!-- a:end -->\n\n"
        "<!-- b:start -->\nb\n\n<!-- b:end -->\n\n## Logs\n\ntext\n"
    )


def test_a_new_block_under_the_last_heading_ends_the_file() -> None:
    assert replace_block(HEAD, "b", "<!-- b:start -->", "<!-- b:end -->", "## Logs") == (
        HEAD + "\n<!-- b:start -->\nb\n\n<!-- b:end -->\n"
    )


def test_a_new_heading_is_appended_when_there_is_none() -> None:
    assert replace_block("# Benchmarks\n", "c", "<c>", "</c>", "## New") == (
        "# Benchmarks\n\n## New\n\n<c>\nc\n\n</c>\n"
    )
