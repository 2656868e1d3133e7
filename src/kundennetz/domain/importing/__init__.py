"""Bringing tables in: reading CSV files of any origin, recognising their columns, cleaning every cell.

Pure Python (no Django), so that the rules can be tested and reused without a database. The package
re-exports its public names; the modules say what they hold:

- ``issues``: problems as reason codes with parameters (never prose; ``imports.messages`` words them);
- ``formulas``: neutralising cells a spreadsheet would run as a formula (exports) and the reversal;
- ``values``: whitespace, e-mail addresses, phone numbers (E.164, Swiss default), amounts in Swiss,
  German, French and English notation, dates, yes/no, choices and countries by any of their spellings;
- ``files``: encoding and delimiter detection, and a CSV reader that streams line by line, so that a
  file of a million rows needs no more memory than one of ten, and a single absurd line becomes an
  error of that row instead of exhausting memory;
- ``columns``: header -> field matching against layouts (column tables of other CRMs' exports) and synonyms;
- ``rows``: typed values with per-cell problems, upsert keys and duplicates within a file.
"""

from __future__ import annotations

from .issues import (
    CellError,
    FileProblem,
    Issue,
)
from .formulas import (
    FORMULA_TRIGGERS,
    neutralise,
    unneutralise,
)
from .values import (
    CALLING_CODES,
    DATE_ORDERS,
    clean_long_text,
    clean_text,
    decimal_evidence,
    format_amount,
    judge_decimal,
    match_choice,
    normalise_key,
    normalize_email,
    normalize_phone,
    normalize_url,
    parse_amount,
    parse_bool,
    parse_date,
    parse_integer,
)
from .files import (
    CsvTable,
    DELIMITERS,
    DELIMITER_NAMES,
    ENCODING_NAMES,
    MAX_LINE_CHARS,
    Record,
    SAMPLE_BYTES,
    check_delimiter,
    detect_delimiter,
    detect_encoding,
    sniff_format,
    unique_headers,
)
from .columns import (
    MappingGuess,
    auto_map,
    normalize_header,
)
from .rows import (
    ANSWER_WORDS,
    DuplicateTracker,
    FieldSpec,
    Options,
    TEXT_TYPES,
    changed_fields,
    clean_row,
    clean_value,
    parse_answer,
    split_full_name,
)

__all__ = [
    "ANSWER_WORDS",
    "CALLING_CODES",
    "CellError",
    "CsvTable",
    "DATE_ORDERS",
    "DELIMITERS",
    "DELIMITER_NAMES",
    "DuplicateTracker",
    "ENCODING_NAMES",
    "FORMULA_TRIGGERS",
    "FieldSpec",
    "FileProblem",
    "Issue",
    "MAX_LINE_CHARS",
    "MappingGuess",
    "Options",
    "Record",
    "SAMPLE_BYTES",
    "TEXT_TYPES",
    "auto_map",
    "changed_fields",
    "check_delimiter",
    "clean_long_text",
    "clean_row",
    "clean_text",
    "clean_value",
    "decimal_evidence",
    "detect_delimiter",
    "detect_encoding",
    "format_amount",
    "judge_decimal",
    "match_choice",
    "neutralise",
    "normalise_key",
    "normalize_email",
    "normalize_header",
    "normalize_phone",
    "normalize_url",
    "parse_amount",
    "parse_answer",
    "parse_bool",
    "parse_date",
    "parse_integer",
    "sniff_format",
    "split_full_name",
    "unique_headers",
    "unneutralise",
]
