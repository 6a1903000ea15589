"""The benchmarks' one writer of docs/benchmarks.md: each run replaces only its generated block,
between its start and end markers, so the hand-written text around it stays."""

from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def replace_block(text: str, section: str, start_marker: str, end_marker: str, heading: str) -> str:
    """`text` with the block between the markers replaced by `section` (a blank line before the
    end marker); without both markers, the block is added at the end of `heading`'s section, or
    under a new `heading` at the end when there is none (a second run size shares the heading)."""
    body = section.strip("\n")
    block = f"{start_marker}\n{body}\n\n{end_marker}"
    if start_marker in text and end_marker in text.partition(start_marker)[2]:
        head, _, rest = text.partition(start_marker)
        return head + block + rest.partition(end_marker)[2]
    heading_line = f"\n{heading}\n"
    if heading_line not in f"\n{text}":
        return text.rstrip("\n") + f"\n\n{heading}\n\n{block}\n"
    head, _, rest = f"\n{text}".partition(heading_line)
    section_text, next_heading, tail = rest.partition("\n## ")
    joined = f"{head}{heading_line}{section_text.rstrip(chr(10))}\n\n{block}\n"
    if next_heading:
        joined += f"\n## {tail}"
    return joined[1:]


def write_docs(
    section: str, start_marker: str, end_marker: str, heading: str, target: Path = DOCS
) -> None:
    text = target.read_text() if target.exists() else "# Benchmarks\n"
    target.write_text(replace_block(text, section, start_marker, end_marker, heading))
    print(f"Updated {target}")
