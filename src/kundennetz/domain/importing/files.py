"""Files: encoding, delimiter and a streaming CSV reader that bounds memory per line."""

from __future__ import annotations

import codecs
import csv
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from .formulas import unneutralise
from .issues import FileProblem, Issue
from .values import clean_text


# --------------------------------------------------------------------------------------------------
# Files: encoding, delimiter, streaming CSV
# --------------------------------------------------------------------------------------------------

SAMPLE_BYTES = 64 * 1024
# Longest physical line read (bytes), equal to the csv module's limit for one field: a record has no
# reason to be longer, and an unbounded line would let one file exhaust the memory of the process.
MAX_LINE_CHARS = 131_072
DELIMITERS = (";", ",", "\t", "|")
DELIMITER_NAMES = {";": ";", ",": ",", "\t": "Tab", "|": "|"}
# Bytes 0x80–0x9F that Windows-1252 leaves undefined: where they occur the text is Latin-1 (C1 controls).
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")
ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 (BOM)", "utf-16": "UTF-16", "cp1252": "Windows-1252",
                  "latin-1": "Latin-1 (ISO-8859-1)"}


def sniff_format(head: bytes, filename: str = "") -> str:
    """"xlsx" or "csv" by content (a renamed file is still recognised); refuses .xls and other binaries."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileProblem("xls_not_supported")
    if filename.lower().endswith(".xls"):
        raise FileProblem("xls_not_supported")
    return "csv"


def detect_encoding(sample: bytes) -> str:
    """The encoding of a text file from its first bytes: a BOM decides; else UTF-8 if the bytes are
    valid UTF-8; else Windows-1252 (what Excel on Windows writes), or Latin-1 when bytes occur that
    Windows-1252 does not define."""
    if not sample:
        raise FileProblem("empty_file")
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in sample:
        raise FileProblem("binary_file")
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        # Not final: the sample may end inside a multi-byte character.
        decoder.decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    if any(byte in _CP1252_UNDEFINED for byte in sample):
        return "latin-1"
    text = sample.decode("cp1252", errors="replace")
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\r\n\t")
    if controls > max(8, len(text) // 100):
        raise FileProblem("binary_file")
    return "cp1252"


def _parse_sample(text: str, delimiter: str, rows: int = 30) -> list[list[str]]:
    lines = text.splitlines(keepends=True)
    if len(lines) > 1 and not text.endswith(("\n", "\r")):
        lines = lines[:-1]  # the sample may stop in the middle of the last line
    try:
        reader = csv.reader(lines, delimiter=delimiter)
        return [row for _, row in zip(range(rows), reader) if row]
    except csv.Error:
        return []


def detect_delimiter(sample: str) -> str:
    """The delimiter among ; , tab | that splits the header into the most columns with the following
    rows agreeing; "," when none splits anything (a one-column file)."""
    best, best_score = ",", (0, 0.0, 0)
    for delimiter in DELIMITERS:
        rows = _parse_sample(sample, delimiter)
        if not rows:
            continue
        width = len(rows[0])
        if width < 2:
            continue
        agreeing = sum(1 for row in rows[1:] if len(row) == width) / max(1, len(rows) - 1)
        score = (1, round(agreeing, 2), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def check_delimiter(header_line: str, delimiter: str) -> None:
    """A chosen delimiter that leaves the header whole while another one would split it is wrong."""
    rows = _parse_sample(header_line, delimiter, rows=1)
    if rows and len(rows[0]) == 1:
        for other in DELIMITERS:
            if other != delimiter and other in rows[0][0]:
                split = _parse_sample(header_line, other, rows=1)
                if split and len(split[0]) > 1:
                    raise FileProblem("wrong_delimiter", delimiter=DELIMITER_NAMES[delimiter],
                                      found=DELIMITER_NAMES[other])


@dataclass
class Record:
    """One data row of a file: its row number (the header is row 1), its cells, and a problem that
    prevented reading it properly (an overlong line, undecodable bytes)."""

    row: int
    cells: list
    problem: Issue | None = None


class _Lines:
    """Decoded physical lines of a binary stream, each bounded in length and decoded on its own, so
    that one bad line is one bad row. Remembers what went wrong since the caller last asked."""

    def __init__(self, stream: IO[bytes], encoding: str, limit: int, first: bytes = b""):
        self.stream = stream
        self.encoding = "utf-8" if encoding == "utf-8-sig" else encoding
        self.limit = limit
        self.pending = first
        self.too_long = False
        self.undecodable = False
        self.mixed = 0  # the first physical line that is UTF-8 in a single-byte file (0: none)
        self.count = 0  # physical lines read so far
        self.single_byte = self.encoding in ("cp1252", "latin-1", "iso-8859-1", "iso8859-1")

    def take_problems(self) -> tuple[bool, bool]:
        problems = (self.too_long, self.undecodable)
        self.too_long = self.undecodable = False
        return problems

    def take_mixed(self) -> int:
        line, self.mixed = self.mixed, 0
        return line

    def _readline(self) -> bytes:
        if self.pending:
            newline = self.pending.find(b"\n")
            if newline >= 0:
                line, self.pending = self.pending[:newline + 1], self.pending[newline + 1:]
                return line
            line, self.pending = self.pending, b""
            if len(line) > self.limit:
                return line
            return line + self.stream.readline(self.limit + 1 - len(line))
        return self.stream.readline(self.limit + 1)

    def __iter__(self) -> Iterator[str]:
        while True:
            line = self._readline()
            if not line:
                return
            self.count += 1
            if self.single_byte and not self.mixed and not line.isascii() and _is_utf8(line):
                self.mixed = self.count
            if len(line) > self.limit and not line.endswith(b"\n"):
                # Drain the rest of the overlong line in bounded pieces.
                while True:
                    rest = self.stream.readline(self.limit)
                    if not rest or rest.endswith(b"\n"):
                        break
                self.too_long = True
                yield "\n"
                continue
            try:
                yield line.decode(self.encoding)
            except UnicodeDecodeError:
                self.undecodable = True
                yield line.decode(self.encoding, errors="replace")


def _is_utf8(line: bytes) -> bool:
    """Valid UTF-8 with multi-byte characters: in a Windows-1252 file that is text saved differently
    ("Ã„" for "Ä"), since real Windows-1252 text almost never forms valid UTF-8 sequences."""
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class _TextLines(_Lines):
    """The same for encodings whose line ends are not single bytes (UTF-16): decoded by a text reader."""

    def __init__(self, stream: IO[bytes], encoding: str, limit: int):
        import io

        super().__init__(stream, encoding, limit)
        self.text = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")

    def __iter__(self) -> Iterator[str]:
        while True:
            line = self.text.readline(self.limit + 1)
            if not line:
                return
            if len(line) > self.limit and not line.endswith("\n"):
                while True:
                    rest = self.text.readline(self.limit)
                    if not rest or rest.endswith("\n"):
                        break
                self.too_long = True
                yield "\n"
                continue
            if "\ufffd" in line:
                self.undecodable = True
            yield line


class CsvTable:
    """A CSV file read as a stream: `headers`, then records one by one.

    `encoding` and `delimiter` are "auto" or forced. Raises `FileProblem` for what makes the whole
    file unreadable (empty, binary, no header, a delimiter that does not fit); problems of single
    rows travel with their `Record`.
    """

    def __init__(self, stream: IO[bytes], *, encoding: str = "auto", delimiter: str = "auto",
                 max_line_chars: int = MAX_LINE_CHARS):
        self.stream = stream
        head = stream.read(SAMPLE_BYTES)
        if not head.strip():
            raise FileProblem("empty_file")
        detected = detect_encoding(head)
        if encoding in ("auto", "", None):
            self.encoding = detected
        else:
            self.encoding = encoding.lower().replace("_", "-")
            if self.encoding in ("windows-1252", "cp-1252"):
                self.encoding = "cp1252"
            try:
                codecs.lookup(self.encoding)
            except LookupError:
                raise FileProblem("unknown_encoding", encoding=encoding) from None
            if self.encoding in ("utf-8", "utf8") and head.startswith(codecs.BOM_UTF8):
                self.encoding = "utf-8-sig"
        if self.encoding == "utf-16":
            stream.seek(0)
            self.lines = _TextLines(stream, "utf-16", max_line_chars)
        else:
            first = head[len(codecs.BOM_UTF8):] if self.encoding == "utf-8-sig" else head
            self.lines = _Lines(stream, self.encoding, max_line_chars, first=first)
        sample_text = head.decode(self._codec(), errors="replace").lstrip("\ufeff")
        if delimiter in ("auto", "", None):
            self.delimiter = detect_delimiter(sample_text)
        else:
            self.delimiter = {"tab": "\t", "\\t": "\t"}.get(delimiter, delimiter)
            if self.delimiter not in DELIMITERS:
                raise FileProblem("wrong_delimiter", delimiter=delimiter, found=", ".join(
                    DELIMITER_NAMES[d] for d in DELIMITERS))
        self.reader = csv.reader(iter(self.lines), delimiter=self.delimiter)
        self.row = 0
        self.width = 0  # cells of the header, once read
        header = self._next_raw()
        while header is not None and header[1] is None and not any(cell.strip() for cell in header[0]):
            header = self._next_raw()  # blank lines above the header
        if header is None:
            raise FileProblem("empty_file")
        cells, problem = header
        if problem is not None:
            raise FileProblem(problem.code, **problem.params)
        if len(cells) == 1:
            check_delimiter(cells[0], self.delimiter)
        self.headers = unique_headers(cells)
        if not any(self.headers):
            raise FileProblem("no_header")
        self.width = len(self.headers)

    def _swallowed(self, cells: list[str]) -> bool:
        """A cell spanning lines that themselves look like whole rows (as many delimiters as the header):
        a quote opened and never closed, not a note with line breaks."""
        if self.width < 2:
            return False
        for cell in cells:
            if "\n" in cell and any(line.count(self.delimiter) >= self.width - 1 for line in cell.split("\n")[1:]):
                return True
        return False

    def _codec(self) -> str:
        return {"utf-8-sig": "utf-8", "utf-16": "utf-16"}.get(self.encoding, self.encoding)

    def _next_raw(self):
        first_line = getattr(self.lines, "count", 0) + 1
        try:
            cells = next(self.reader)
        except StopIteration:
            return None
        except csv.Error as exc:
            raise FileProblem("csv_error", row=self.row + 1, detail=str(exc)) from None
        self.row += 1
        too_long, undecodable = self.lines.take_problems()
        mixed = self.lines.take_mixed() if hasattr(self.lines, "take_mixed") else 0
        last_line = getattr(self.lines, "count", first_line)
        problem = None
        if self.width and last_line > first_line and self._swallowed(cells):
            problem = Issue("unclosed_quote", {"line": first_line, "end": last_line}, row=self.row)
        elif mixed:
            problem = Issue("mixed_encoding", {"row": self.row, "line": mixed, "encoding": ENCODING_NAMES.get(
                self.encoding, self.encoding)}, row=self.row)
        elif too_long:
            problem = Issue("line_too_long", {"row": self.row, "limit": f"{self.lines.limit:,}".replace(",", "'")},
                            row=self.row)
        elif undecodable:
            problem = Issue("bad_encoding", {"row": self.row, "encoding": ENCODING_NAMES.get(
                self.encoding, self.encoding)}, row=self.row)
        return cells, problem

    def __iter__(self) -> Iterator[Record]:
        while True:
            raw = self._next_raw()
            if raw is None:
                return
            cells, problem = raw
            if problem is None and not any(cell.strip() for cell in cells):
                continue  # blank line (spreadsheets often end with some)
            yield Record(self.row, cells, problem)


def unique_headers(cells: Iterable) -> list[str]:
    """Header texts made unique and non-empty: a repeated name gets " (2)", an empty one "#3"."""
    seen: dict[str, int] = {}
    result = []
    for index, cell in enumerate(cells, start=1):
        name = clean_text(unneutralise(str(cell)).replace("\ufeff", "")) if cell is not None else ""
        name = name or f"#{index}"
        count = seen.get(name.casefold(), 0) + 1
        seen[name.casefold()] = count
        result.append(name if count == 1 else f"{name} ({count})")
    # Trailing unnamed columns are Excel's leftovers, not data.
    while result and re.fullmatch(r"#\d+", result[-1]):
        result.pop()
    return result
