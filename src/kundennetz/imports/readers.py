"""Opening an uploaded file as a stream of records, whatever it is: CSV (see `domain.importing.CsvTable`)
or Excel .xlsx (openpyxl in read-only mode, which reads the sheet row by row instead of loading it)."""

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from kundennetz.domain.importing import (
    CsvTable,
    FileProblem,
    Record,
    sniff_format,
    unique_headers,
)


@dataclass
class Source:
    format: str
    headers: list[str]
    records: Iterator[Record]
    encoding: str = ""
    delimiter: str = ""
    # Rows the file seems to hold (Excel says so; None: not known before reading)
    estimated_rows: int | None = None
    _close: list = field(default_factory=list)

    def close(self) -> None:
        for close in self._close:
            close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def open_source(stream: IO[bytes], filename: str = "", *, encoding: str = "auto",
                delimiter: str = "auto") -> Source:
    """The file's headers and its records as an iterator; raises `FileProblem` if it cannot be read."""
    head = stream.read(8)
    stream.seek(0)
    if sniff_format(head, filename) == "xlsx":
        return _xlsx(stream)
    table = CsvTable(stream, encoding=encoding or "auto", delimiter=delimiter or "auto")
    return Source("csv", table.headers, iter(table), encoding=table.encoding, delimiter=table.delimiter)


def _xlsx(stream: IO[bytes]) -> Source:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError) as exc:
        raise FileProblem("bad_xlsx", detail=type(exc).__name__) from None
    try:
        sheet = workbook.worksheets[0]
        rows = enumerate(sheet.iter_rows(values_only=True), start=1)
        headers = None
        for number, cells in rows:
            if any(cell not in (None, "") for cell in cells):
                headers = unique_headers(cells)
                break
        if not headers:
            raise FileProblem("empty_file")
    except FileProblem:
        workbook.close()
        raise
    except Exception as exc:  # openpyxl raises many kinds on a damaged sheet
        workbook.close()
        raise FileProblem("bad_xlsx", detail=type(exc).__name__) from None

    def records() -> Iterator[Record]:
        for number, cells in rows:
            if not any(cell not in (None, "") for cell in cells):
                continue
            yield Record(number, list(cells))

    try:
        estimated = max(0, (sheet.max_row or 0) - number)
    except Exception:  # a sheet without its dimension
        estimated = None
    return Source("xlsx", headers, records(), estimated_rows=estimated, _close=[workbook.close])
