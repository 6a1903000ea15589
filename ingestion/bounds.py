"""What a workbook may be before a reader reads it, so that its message names the limit.

Both readers trust a sheet's cell references: a single cell at XFD1048576 makes calamine build
a grid of seventeen billion cells, and openpyxl pad every row to that width. A few MB of zip can
also hold gigabytes of XML, or one text of megabytes. So the package is read first the way a
reader reads it, and refused (UnreadableFile, with a message naming the limit) at the first
sign of any of:

- more than INGEST_MAX_UNCOMPRESSED_MB once decompressed (every part, streamed through zip's
  own decompression: the sizes a zip declares are not trusted);
- a cell, row or declared dimension beyond INGEST_MAX_ROWS rows or INGEST_MAX_COLUMNS columns;
- a text longer than INGEST_MAX_CELL_CHARS characters (Excel itself stops at 32,767).

Which parts are read: every part a reader may take for a sheet, found as the readers find them
(the sheets named by the workbook's relationships, whatever their path or extension, resolved
both as calamine does, under xl/, and as the package's relative names say; part names compared
without case, as calamine compares them), every part the package declares as XML
([Content_Types].xml) and the shared strings and styles. Each is parsed by expat, streaming,
with any DTD refused (a workbook has none, so no entity can be declared, let alone expanded):
attributes in either quoting, character references, prefixes, cells and rows without a
reference (they take the next column or row, as the readers count them) are all seen as a
reader sees them.

That parse costs a Python call per element (17 million for a million loans), so a part is first
scanned at C speed (_PlainScan): expat with no handler proves it well-formed (so every '<' starts
a tag, and no attribute is given twice), and one regular expression finds the first tag it cannot
vouch for. It vouches only for the plain form writers use (every row and cell with its reference
first, double-quoted, upper-case, within the bounds; no prefix on a row, cell or dimension; no
comment, CDATA, DTD or processing instruction; UTF-8 or ASCII). Anything else, or any error, and
the part is parsed element by element from its start as above, so the verdict and its message
are that parse's.

This check names the limit a file breaks; whatever a file does that no check foresaw, the
reader runs in a child process with hard memory and time limits (ingestion.child).
"""

import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from pyexpat import XML_PARAM_ENTITY_PARSING_NEVER, ExpatError, ParserCreate
from string import ascii_letters
from typing import Any

from django.conf import settings

from ingestion.readers import UnreadableFile

CHUNK = 1 << 20
NOT_A_WORKBOOK = "Not a readable .xlsx workbook."

# Where calamine looks, whatever the package says.
_CALAMINE_WORKBOOK = "xl/workbook.xml"
_CALAMINE_RELS = "xl/_rels/workbook.xml.rels"
_CALAMINE_FIXED = ("xl/sharedStrings.xml", "xl/styles.xml")
_SHEETS_FOLDER = "xl/worksheets/"
_CONTENT_TYPES = "[Content_Types].xml"
_PACKAGE_RELS = "_rels/.rels"


@dataclass(frozen=True)
class Bounds:
    max_bytes: int
    max_rows: int
    max_columns: int
    max_cell_chars: int

    @classmethod
    def configured(cls) -> "Bounds":
        return cls(
            max_bytes=settings.INGEST_MAX_UNCOMPRESSED_MB * 1024 * 1024,
            max_rows=settings.INGEST_MAX_ROWS,
            max_columns=settings.INGEST_MAX_COLUMNS,
            max_cell_chars=settings.INGEST_MAX_CELL_CHARS,
        )


def column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def check_workbook(path: Path, bounds: Bounds | None = None) -> None:
    """UnreadableFile unless every part a reader may read of the workbook at `path` is within
    `bounds`."""
    limits = bounds or Bounds.configured()
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UnreadableFile(NOT_A_WORKBOOK) from None
    with archive:
        _Check(archive, limits).run()


@dataclass
class _Structure:
    """What the package's own parts say: content types, relationships, the workbook's sheets."""

    defaults: dict[str, str] = field(default_factory=dict)  # extension → content type
    overrides: dict[str, str] = field(default_factory=dict)  # part name → content type
    relationships: list[dict[str, str]] = field(default_factory=list)
    sheet_ids: list[str] = field(default_factory=list)


class _Check:
    def __init__(self, archive: zipfile.ZipFile, limits: Bounds) -> None:
        self.archive = archive
        self.limits = limits
        self.total = 0
        self.read: dict[int, _Structure] = {}  # the members already streamed, by position
        self.members: dict[str, list[tuple[int, zipfile.ZipInfo]]] = {}
        for position, info in enumerate(archive.infolist()):
            self.members.setdefault(info.filename.lower(), []).append((position, info))

    def run(self) -> None:
        types = self._parse([_CONTENT_TYPES])
        package = self._parse([_PACKAGE_RELS])
        workbooks = {_CALAMINE_WORKBOOK}
        workbooks |= {
            _resolve("/", rel["Target"])
            for rel in package.relationships
            if rel.get("Type", "").endswith("/officeDocument") and _internal(rel)
        }
        workbooks |= {name for name, kind in types.overrides.items() if kind.endswith(".main+xml")}
        present = [name for name in sorted(workbooks) if self._find(name)]
        if not present:
            raise UnreadableFile(NOT_A_WORKBOOK)
        sheets: set[str] = set()
        for workbook in present:
            sheets |= self._sheets_of(workbook)
        declared = {name for name, kind in types.overrides.items() if _is_xml(kind)}
        xml_extensions = {ext for ext, kind in types.defaults.items() if _is_xml(kind)}
        for name in self.members:
            if posixpath.splitext(name)[1].lstrip(".") in xml_extensions:
                declared.add(name)
            elif name.startswith(_SHEETS_FOLDER):
                declared.add(name)  # where sheets are kept, whatever the package says
        self._check_reach(sorted(sheets | declared | set(_CALAMINE_FIXED)))
        for position, info in enumerate(self.archive.infolist()):
            if position not in self.read:
                self._stream(position, info, _count_only)
                self.read[position] = _Structure()

    def _sheets_of(self, workbook: str) -> set[str]:
        """The parts the workbook's relationships name (its sheets above all), resolved both
        as calamine does and as the package's relative names say."""
        found = self._parse([workbook])
        folder, name = posixpath.split(workbook)
        rels = self._parse(
            sorted({posixpath.join(folder, "_rels", name + ".rels"), _CALAMINE_RELS})
        )
        named = set(found.sheet_ids)
        parts: set[str] = set()
        for rel in rels.relationships:
            if not _internal(rel):
                continue
            kind = rel.get("Type", "")
            if rel.get("Id") in named or kind.endswith(_READ_RELATIONSHIPS):
                target = rel["Target"]
                parts |= {_calamine_path(target), _resolve(folder, target)}
        return parts

    def _find(self, name: str) -> list[tuple[int, zipfile.ZipInfo]]:
        return self.members.get(name.lstrip("/").lower(), [])

    def _parse(self, names: list[str]) -> _Structure:
        """What the parts of these names say, each part parsed once."""
        found = _Structure()
        for name in names:
            for position, info in self._find(name):
                if position not in self.read:
                    structure = _Structure()
                    self._stream(position, info, _Part(self.limits, structure).feeder())
                    self.read[position] = structure
                said = self.read[position]
                found.defaults.update(said.defaults)
                found.overrides.update(said.overrides)
                found.relationships += said.relationships
                found.sheet_ids += said.sheet_ids
        return found

    def _check_reach(self, names: list[str]) -> None:
        """The parts of these names within the bounds (what they say of the package is not
        needed any more): each scanned at C speed, parsed element by element only when the
        scan cannot vouch for it."""
        for name in names:
            for position, info in self._find(name):
                if position in self.read:
                    continue
                before = self.total
                try:
                    self._stream(position, info, _PlainScan(self.limits).feed)
                except _NeedsParse:
                    self.total = before  # the part is read again, from its start
                    self._stream(position, info, _Part(self.limits, _Structure()).feeder())
                self.read[position] = _Structure()

    def _stream(self, position: int, info: zipfile.ZipInfo, feed: "Feeder") -> None:
        long_text = _long_text(self.limits.max_cell_chars)
        before = b""
        try:
            with self.archive.open(info) as part:
                while chunk := part.read(CHUNK):
                    self.total += len(chunk)
                    if self.total > self.limits.max_bytes:
                        raise UnreadableFile(
                            f"The workbook holds more than {self.limits.max_bytes // (1024 * 1024)}"
                            " MB once decompressed (INGEST_MAX_UNCOMPRESSED_MB)."
                        )
                    if feed is not _count_only and long_text.search(before + chunk):
                        raise _too_long(self.limits)
                    feed(chunk, False)
                    before = chunk[-(self.limits.max_cell_chars + 1) :]
            feed(b"", True)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ExpatError, ValueError):
            raise UnreadableFile(NOT_A_WORKBOOK) from None
        except NotImplementedError:  # a compression zipfile cannot read, and no reader either
            raise UnreadableFile(NOT_A_WORKBOOK) from None


Feeder = Callable[[bytes, bool], Any]

# Relationships of the workbook whose parts a reader reads, beside the sheets it names.
_READ_RELATIONSHIPS = (
    "/worksheet",
    "/chartsheet",
    "/dialogsheet",
    "/macrosheet",
    "/xlMacrosheet",
    "/sharedStrings",
    "/styles",
)


def _count_only(chunk: bytes, final: bool) -> None:
    """A part no reader parses: its bytes count towards the decompressed total only."""


def _internal(rel: dict[str, str]) -> bool:
    return "Target" in rel and rel.get("TargetMode", "Internal") != "External"


def _is_xml(content_type: str) -> bool:
    kind = content_type.split(";")[0].strip().lower()
    return kind.endswith("+xml") or kind in ("application/xml", "text/xml")


def _resolve(folder: str, target: str) -> str:
    """A relationship's target as the package's names say: from the package's root when it
    starts with '/', else from the folder of the part that names it."""
    joined = target if target.startswith("/") else posixpath.join("/", folder, target)
    return posixpath.normpath(joined).lstrip("/")


def _calamine_path(target: str) -> str:
    """A sheet's target as calamine takes it: under xl/ unless it already starts there."""
    if target.startswith("/xl/"):
        return target[1:]
    return target if target.startswith("xl/") else "xl/" + target


@cache
def _long_text(max_chars: int) -> re.Pattern[bytes]:
    """Text longer than `max_chars` characters is a run of more bytes than that after the '>'
    that ends a tag, with no '<' in them (a character is at least one byte, and markup starts
    with '<'). CDATA, the one text that may hold a '<', is counted by the parser (_Part)."""
    return re.compile(rb">[^<]{%d}" % (max_chars + 1))


def _too_long(limits: Bounds) -> UnreadableFile:
    return UnreadableFile(
        f"A cell holds more than {limits.max_cell_chars} characters (INGEST_MAX_CELL_CHARS)."
    )


_UNSEEN = object()


class _Part:
    """One part parsed by expat: the reach of its rows and cells (as the readers place them:
    a reference, else the next row or column), its declared dimension, and what the package's
    structure parts say (into `structure`). A sheet of a million rows has tens of millions of
    elements, so the cells' and rows' handlers are closures over local names."""

    def __init__(self, limits: Bounds, structure: _Structure) -> None:
        self.limits = limits
        self.structure = structure
        self.cdata = 0

    def feeder(self) -> Feeder:
        parser = ParserCreate()
        parser.SetParamEntityParsing(XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = _refuse_dtd
        parser.EntityDeclHandler = _refuse_dtd
        handlers = {**self._reach_handlers(), **self._structure_handlers()}
        dispatch: dict[str, Any] = {"v": None}

        def start(name: str, attributes: dict[str, str]) -> None:
            handle = dispatch.get(name, _UNSEEN)
            if handle is _UNSEEN:  # a name's handler by its local name, once per name
                handle = dispatch[name] = handlers.get(name.rpartition(":")[2])
            if handle is not None:
                handle(attributes)

        def cdata_start() -> None:
            self.cdata = 0
            parser.CharacterDataHandler = self._cdata_text

        def cdata_end() -> None:
            parser.CharacterDataHandler = None

        parser.StartElementHandler = start
        parser.StartCdataSectionHandler = cdata_start
        parser.EndCdataSectionHandler = cdata_end
        return parser.Parse

    def _reach_handlers(self) -> dict[str, Callable[[dict[str, str]], None]]:
        limits = self.limits
        max_rows, max_columns = limits.max_rows, limits.max_columns
        row_digits = len(str(max_rows))
        # Column letters within the limit, by their number (others are checked, then refused).
        columns = {column_letters(n): n for n in range(1, max_columns + 1)}
        at = {"row": 0, "column": 1}  # the current row and the next column, as readers count

        def row_number(digits: str | int) -> int:
            try:
                number = int(digits)
            except ValueError:
                raise UnreadableFile(NOT_A_WORKBOOK) from None
            if number > max_rows:
                raise UnreadableFile(
                    f"The sheet reaches row {number}: at most {max_rows} rows are read "
                    "(INGEST_MAX_ROWS)."
                )
            return number

        def column_of(letters: str) -> int:
            if not letters.isascii() or not letters.isalpha():
                raise UnreadableFile(NOT_A_WORKBOOK)
            number = column_number(letters)
            if number > max_columns:
                raise self._too_wide(number)
            columns[letters] = number
            return number

        def row(attributes: dict[str, str]) -> None:
            reference = attributes.get("r")
            at["row"] = row_number(reference.lstrip(ascii_letters) if reference else at["row"] + 1)
            at["column"] = 1

        def cell(attributes: dict[str, str]) -> None:
            reference = attributes.get("r")
            if reference is None:
                column = at["column"]
                if column > max_columns:
                    raise self._too_wide(column)
            else:
                digits = reference.lstrip(ascii_letters)
                letters = reference[: len(reference) - len(digits)]
                column = columns.get(letters) or column_of(letters)
                if len(digits) >= row_digits:  # a shorter number is within the limit
                    row_number(digits)
            at["column"] = column + 1

        def dimension(attributes: dict[str, str]) -> None:
            for corner in attributes.get("ref", "").split(":"):
                digits = corner.lstrip(ascii_letters)
                letters = corner[: len(corner) - len(digits)]
                columns.get(letters) or column_of(letters)
                if digits:
                    row_number(digits)

        return {"row": row, "c": cell, "dimension": dimension}

    def _structure_handlers(self) -> dict[str, Callable[[dict[str, str]], None]]:
        return {
            "Default": self._default,
            "Override": self._override,
            "Relationship": self.structure.relationships.append,
            "sheet": self._sheet,
        }

    def _cdata_text(self, text: str) -> None:
        self.cdata += len(text)
        if self.cdata > self.limits.max_cell_chars:
            raise _too_long(self.limits)

    def _too_wide(self, column: int) -> UnreadableFile:
        return UnreadableFile(
            f"The sheet reaches column {column_letters(column)}: at most "
            f"{self.limits.max_columns} columns are read (INGEST_MAX_COLUMNS)."
        )

    def _default(self, attributes: dict[str, str]) -> None:
        extension = attributes.get("Extension", "").lower()
        self.structure.defaults[extension] = attributes.get("ContentType", "")

    def _override(self, attributes: dict[str, str]) -> None:
        name = attributes.get("PartName", "").lstrip("/").lower()
        self.structure.overrides[name] = attributes.get("ContentType", "")

    def _sheet(self, attributes: dict[str, str]) -> None:
        """A workbook's sheet names its part by a relationship id, whatever the prefix."""
        for key, value in attributes.items():
            if key.rpartition(":")[2] == "id" and ":" in key:
                self.structure.sheet_ids.append(value)


def _refuse_dtd(*_: Any) -> None:
    raise UnreadableFile(NOT_A_WORKBOOK)


# --- The plain form, scanned at C speed ---------------------------------------------------


class _NeedsParse(Exception):
    """The scan cannot vouch for a part: it is parsed element by element instead."""


# An optional UTF-8 byte order mark, then a declaration of UTF-8 or ASCII, or '<' and no '?' or
# NUL (expat would read UTF-16): the bytes are then the characters the regexps look for. The
# scan starts after the declaration, or at the first '<'.
_PLAIN_START = re.compile(
    rb"(?:\xef\xbb\xbf)?"
    rb"(?:<\?xml(?:\s+version\s*=\s*(?:\"1\.0\"|'1\.0'))?"
    rb"(?:\s+encoding\s*=\s*(?:\"(?i:utf-8|us-ascii)\"|'(?i:utf-8|us-ascii)'))?"
    rb"(?:\s+standalone\s*=\s*(?:\"(?:yes|no)\"|'(?:yes|no)'))?\s*\?>"
    rb"|(?=<[^?\x00]))"
)
# A row, cell or dimension under a prefix (or text that looks like one: the parse decides).
_PREFIXED = re.compile(rb":(?:c|row|dimension)[\s/>]")


def _up_to(bound: str, low: str, high: str) -> str:
    """A pattern for the strings of the characters low..high that count at most `bound`, as
    column letters or digits count: every shorter one, and those of its length that sort at or
    before it."""
    size = len(bound)
    choices = [f"[{low}-{high}]{{1,{size - 1}}}"] if size > 1 else []
    for at, char in enumerate(bound):
        if char > low:
            choices.append(
                f"{bound[:at]}[{low}-{chr(ord(char) - 1)}][{low}-{high}]{{{size - at - 1}}}"
            )
    choices.append(bound)
    return f"(?:{'|'.join(choices)})"


@cache
def _unvouched(max_rows: int, max_columns: int) -> re.Pattern[bytes]:
    """The first tag the scan cannot vouch for: '<!' or '<?' (a comment, CDATA, a DTD, an
    instruction), or a row, cell or dimension whose first attribute is not its reference,
    double-quoted, in upper-case letters and digits within the bounds (what _Part would let
    through: a row's number at most max_rows, a cell's column among the first max_columns)."""
    number = "0*" + _up_to(str(max_rows), "0", "9")
    letters = _up_to(column_letters(max_columns), "A", "Z")
    corner = f"{letters}(?:{number})?"
    end = r'"[\s/>]'
    return re.compile(
        (
            r"<(?:[!?]"
            rf'|c(?=[\s/>])(?! r="{letters}{number}{end})'
            rf'|row(?=[\s/>])(?! r="{number}{end})'
            rf'|dimension(?=[\s/>])(?! ref="{corner}(?::{corner})*{end}))'
        ).encode()
    )


class _PlainScan:
    """A part fed in chunks, each cut before its last '<' (the rest waits for the next chunk) so
    that no tag is split: the regexps find no tag they cannot vouch for, and expat, with no
    handler, finds the part well-formed; else _NeedsParse."""

    def __init__(self, limits: Bounds) -> None:
        self.unvouched = _unvouched(limits.max_rows, limits.max_columns)
        self.parser = ParserCreate()
        self.parser.SetParamEntityParsing(XML_PARAM_ENTITY_PARSING_NEVER)
        self.rest = b""
        self.started = False

    def feed(self, chunk: bytes, final: bool) -> None:
        data = self.rest + chunk
        cut = len(data) if final else data.rfind(b"<")
        if cut <= 0 and not final:
            if len(data) > CHUNK:  # no tag in a chunk's worth: let the parse judge it
                raise _NeedsParse
            self.rest = data
            return
        piece, self.rest = data[:cut], data[cut:]
        start = 0
        if not self.started:
            self.started = True
            if (plain := _PLAIN_START.match(piece)) is None:
                raise _NeedsParse
            start = plain.end()
        if self.unvouched.search(piece, start) or (
            b":" in piece and _PREFIXED.search(piece, start)
        ):
            raise _NeedsParse
        try:
            self.parser.Parse(piece, final)
        except ExpatError:
            raise _NeedsParse from None
