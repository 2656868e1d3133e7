"""What an import says about a problem: each reason code of `domain.importing` as a sentence.

The domain gives codes with parameters (in braces); the sentences are here, in the translation
catalogue like every other text, so the same outcome reads in each reader's language.
"""

from django.utils import translation
from django.utils.translation import gettext_lazy as _

# Every reason an import can give. Parameters in braces, filled by `describe`.
MESSAGES = {
    "empty_file": _("The file is empty."),
    "binary_file": _("This is not a text (CSV) file. Save the table as CSV (UTF-8) or Excel (.xlsx)."),
    "xls_not_supported": _("Old Excel files (.xls) cannot be read. Save the sheet as .xlsx or CSV."),
    "bad_xlsx": _("The Excel file cannot be opened ({detail})."),
    "unknown_encoding": _("Unknown text encoding “{encoding}”."),
    "bad_encoding": _("Row {row} is not valid {encoding} text; characters were replaced. Save the file as CSV "
                      "UTF-8 or choose its encoding."),
    "wrong_delimiter": _("With the delimiter “{delimiter}” the header has only one column, but it contains "
                         "“{found}”: choose that delimiter (or automatic detection)."),
    "no_header": _("The first row holds no column names."),
    "missing_column": _("The file has no column for “{field}”, which is required (map a column or set a value for "
                        "all rows)."),
    "mixed_encoding": _("Row {row} (line {line}) is UTF-8 text in a file read as {encoding}; the file mixes "
                        "encodings. Save it once more as CSV UTF-8."),
    "unclosed_quote": _("The quote opened in line {line} is not closed: lines {line} to {end} were read as one "
                        "cell. Close the quote or remove it."),
    "ambiguous_decimal": _("The column {columns} holds numbers like 1.250 that can mean one and a quarter or one "
                           "thousand two hundred and fifty. Choose how to read it (step Columns)."),
    "line_too_long": _("Row {row} is longer than {limit} characters and was not read."),
    "csv_error": _("The file cannot be read as CSV from row {row} on ({detail})."),
    "too_many_cells": _("The row has {count} cells but the header only {expected}; is a delimiter inside a value "
                        "without quotes?"),
    "too_many_rows": _("The file has more than {limit} rows; import it in parts or with the command line."),
    "required": _("A value is required."),
    "too_long": _("At most {max} characters (this one has {length})."),
    "bad_number": _("“{value}” is not a number."),
    "too_many_decimals": _("“{value}” has more than {places} decimal places."),
    "number_too_large": _("“{value}” is too large."),
    "below_minimum": _("“{value}” is below the minimum of {min}."),
    "above_maximum": _("“{value}” is above the maximum of {max}."),
    "bad_integer": _("“{value}” is not a whole number."),
    "bad_date": _("“{value}” is not a date (expected {expected})."),
    "bad_email": _("“{value}” is not an e-mail address."),
    "bad_phone": _("“{value}” is not a phone number we can read."),
    "bad_url": _("“{value}” is not a web address."),
    "bad_choice": _("“{value}” is not one of: {choices}."),
    "bad_country": _("“{value}” is not a country we know (use a two-letter code such as CH)."),
    "bad_bool": _("“{value}” is neither yes nor no."),
    "bad_answer": _("“{value}” is not a checklist answer (yes, no, open, ja, nein, offen or empty)."),
    "null_character": _("The value contains a NUL character."),
    "unknown_owner": _("No active account manager “{value}”."),
    "missing_owner": _("An account manager is required (column or a value for all rows)."),
    "owner_not_allowed": _("You import into your own records only; this row names “{value}”."),
    "unknown_reference": _("No {what} “{value}”."),
    "ambiguous_reference": _("{count} records match “{value}”; add the city or the external ID."),
    "account_not_allowed": _("You may not add records to the account “{value}”."),
    "key_in_use": _("This external ID is already in use."),
    "not_permitted": _("A record with this key exists that you may not change."),
    "ambiguous_key": _("{count} existing records match this key ({key}); it must name one."),
    "missing_key": _("The key ({key}) is empty in this row."),
    "duplicate_in_file": _("Same key as row {first_row}: skipped as a duplicate."),
    "not_a_company": _("A person, not a company: skipped."),
    "a_company": _("A company, not a person: skipped."),
    "no_catalogue": _("No published question catalogue exists for the checklist answers. Ask an administrator."),
}


def _german(language: str | None) -> bool:
    return (language or "").lower().startswith("de")


def describe(code: str, params: dict | None = None, language: str = "en") -> str:
    """The reason `code` as a sentence in `language` ("de…" gives German, anything else English);
    an unknown code (stored by another version) as itself."""
    params = params or {}
    # Worded where they arose: the model's own validation message, kept in German and English when the
    # row was checked, and messages already in the reader's words.
    if code == "model_validation":
        return str(params.get("message_de" if _german(language) else "message_en", ""))
    if code == "invalid":
        return str(params.get("message", ""))
    template = MESSAGES.get(code)
    if template is None:
        return code
    with translation.override("de" if _german(language) else "en"):
        text = str(template)
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text
