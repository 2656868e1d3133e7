"""Problems an import can report: reason codes with parameters, and their descriptions."""

from __future__ import annotations

from dataclasses import dataclass, field


# --------------------------------------------------------------------------------------------------
# Problems and their descriptions
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    """One problem: a reason code with parameters, and where it is (row 1 is the header row)."""

    code: str
    params: dict = field(default_factory=dict)
    row: int | None = None
    column: str | None = None
    field: str | None = None

    def as_dict(self) -> dict:
        """As JSON-safe values (a Decimal minimum becomes its text), to be stored with the row."""
        params = {key: value if value is None or isinstance(value, (str, int, float, bool)) else str(value)
                  for key, value in self.params.items()}
        return {"code": self.code, "params": params, "row": self.row, "column": self.column,
                "field": self.field}


class CellError(ValueError):
    """A cell's value cannot be used; carries the reason code and its parameters."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


class FileProblem(ValueError):
    """The file as a whole cannot be read (encoding, format, header)."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params

    def issue(self) -> Issue:
        return Issue(self.code, self.params, row=self.params.get("row"))


# Every reason an import can give, in English and German. Parameters in braces.
MESSAGES: dict[str, dict[str, str]] = {
    # the file
    "empty_file": {"en": "The file is empty.", "de": "Die Datei ist leer."},
    "binary_file": {"en": "This is not a text (CSV) file. Save the table as CSV (UTF-8) or Excel (.xlsx).",
                    "de": "Das ist keine Textdatei (CSV). Speichern Sie die Tabelle als CSV (UTF-8) oder "
                          "Excel (.xlsx)."},
    "xls_not_supported": {"en": "Old Excel files (.xls) cannot be read. Save the sheet as .xlsx or CSV.",
                          "de": "Alte Excel-Dateien (.xls) können nicht gelesen werden. Speichern Sie das "
                                "Blatt als .xlsx oder CSV."},
    "bad_xlsx": {"en": "The Excel file cannot be opened ({detail}).",
                 "de": "Die Excel-Datei kann nicht geöffnet werden ({detail})."},
    "unknown_encoding": {"en": "Unknown text encoding “{encoding}”.",
                         "de": "Unbekannte Zeichenkodierung «{encoding}»."},
    "bad_encoding": {"en": "Row {row} is not valid {encoding} text; characters were replaced. Save the file "
                           "as CSV UTF-8 or choose its encoding.",
                     "de": "Zeile {row} ist kein gültiger {encoding}-Text; Zeichen wurden ersetzt. Speichern "
                           "Sie die Datei als CSV UTF-8 oder wählen Sie ihre Kodierung."},
    "wrong_delimiter": {"en": "With the delimiter “{delimiter}” the header has only one column, but it "
                              "contains “{found}”: choose that delimiter (or automatic detection).",
                        "de": "Mit dem Trennzeichen «{delimiter}» hat die Kopfzeile nur eine Spalte, enthält "
                              "aber «{found}»: wählen Sie dieses Trennzeichen (oder die automatische Erkennung)."},
    "no_header": {"en": "The first row holds no column names.",
                  "de": "Die erste Zeile enthält keine Spaltennamen."},
    "missing_column": {"en": "The file has no column for “{field}”, which is required (map a column or set a "
                             "value for all rows).",
                       "de": "Die Datei hat keine Spalte für «{field}», die nötig ist (ordnen Sie eine Spalte "
                             "zu oder setzen Sie einen Wert für alle Zeilen)."},
    "mixed_encoding": {"en": "Row {row} (line {line}) is UTF-8 text in a file read as {encoding}; the file mixes "
                             "encodings. Save it once more as CSV UTF-8.",
                       "de": "Zeile {row} (Zeile {line} der Datei) ist UTF-8-Text in einer als {encoding} gelesenen "
                             "Datei; die Datei mischt Kodierungen. Speichern Sie sie nochmals als CSV UTF-8."},
    "unclosed_quote": {"en": "The quote opened in line {line} is not closed: lines {line} to {end} were read as "
                             "one cell. Close the quote or remove it.",
                       "de": "Das in Zeile {line} geöffnete Anführungszeichen wird nicht geschlossen: die Zeilen "
                             "{line} bis {end} wurden als eine Zelle gelesen. Schliessen oder entfernen Sie es."},
    "ambiguous_decimal": {"en": "The column {columns} holds numbers like 1.250 that can mean one and a quarter or "
                                "one thousand two hundred and fifty. Choose how to read it (step Columns).",
                          "de": "Die Spalte {columns} enthält Zahlen wie 1.250, die eins Komma zwei fünf oder "
                                "tausendzweihundertfünfzig bedeuten können. Wählen Sie, wie sie zu lesen ist "
                                "(Schritt Spalten)."},
    "line_too_long": {"en": "Row {row} is longer than {limit} characters and was not read.",
                      "de": "Zeile {row} ist länger als {limit} Zeichen und wurde nicht gelesen."},
    "csv_error": {"en": "The file cannot be read as CSV from row {row} on ({detail}).",
                  "de": "Die Datei kann ab Zeile {row} nicht als CSV gelesen werden ({detail})."},
    "too_many_cells": {"en": "The row has {count} cells but the header only {expected}; is a delimiter "
                             "inside a value without quotes?",
                       "de": "Die Zeile hat {count} Zellen, die Kopfzeile nur {expected}; steht ein "
                             "Trennzeichen ohne Anführungszeichen in einem Wert?"},
    "too_many_rows": {"en": "The file has more than {limit} rows; import it in parts or with the command "
                            "line.",
                      "de": "Die Datei hat mehr als {limit} Zeilen; importieren Sie sie in Teilen oder über "
                            "die Kommandozeile."},
    # a cell
    "required": {"en": "A value is required.", "de": "Ein Wert ist nötig."},
    "too_long": {"en": "At most {max} characters (this one has {length}).",
                 "de": "Höchstens {max} Zeichen (dieser Wert hat {length})."},
    "bad_number": {"en": "“{value}” is not a number.", "de": "«{value}» ist keine Zahl."},
    "too_many_decimals": {"en": "“{value}” has more than {places} decimal places.",
                          "de": "«{value}» hat mehr als {places} Nachkommastellen."},
    "number_too_large": {"en": "“{value}” is too large.", "de": "«{value}» ist zu gross."},
    "below_minimum": {"en": "“{value}” is below the minimum of {min}.",
                      "de": "«{value}» liegt unter dem Minimum von {min}."},
    "above_maximum": {"en": "“{value}” is above the maximum of {max}.",
                      "de": "«{value}» liegt über dem Maximum von {max}."},
    "bad_integer": {"en": "“{value}” is not a whole number.", "de": "«{value}» ist keine ganze Zahl."},
    "bad_date": {"en": "“{value}” is not a date (expected {expected}).",
                 "de": "«{value}» ist kein Datum (erwartet: {expected})."},
    "bad_email": {"en": "“{value}” is not an e-mail address.", "de": "«{value}» ist keine E-Mail-Adresse."},
    "bad_phone": {"en": "“{value}” is not a phone number we can read.",
                  "de": "«{value}» ist keine lesbare Telefonnummer."},
    "bad_url": {"en": "“{value}” is not a web address.", "de": "«{value}» ist keine Webadresse."},
    "bad_choice": {"en": "“{value}” is not one of: {choices}.", "de": "«{value}» ist keiner von: {choices}."},
    "bad_country": {"en": "“{value}” is not a country we know (use a two-letter code such as CH).",
                    "de": "«{value}» ist kein bekanntes Land (verwenden Sie einen Code wie CH)."},
    "bad_bool": {"en": "“{value}” is neither yes nor no.", "de": "«{value}» ist weder ja noch nein."},
    "bad_answer": {"en": "“{value}” is not a checklist answer (yes, no, open, ja, nein, offen or empty).",
                   "de": "«{value}» ist keine Checklisten-Antwort (yes, no, open, ja, nein, offen oder leer)."},
    "null_character": {"en": "The value contains a NUL character.", "de": "Der Wert enthält ein NUL-Zeichen."},
    # references and permissions
    "unknown_owner": {"en": "No active account manager “{value}”.",
                      "de": "Kein aktiver Kundenberater «{value}»."},
    "missing_owner": {"en": "An account manager is required (column or a value for all rows).",
                      "de": "Ein Kundenberater ist nötig (Spalte oder ein Wert für alle Zeilen)."},
    "owner_not_allowed": {"en": "You import into your own records only; this row names “{value}”.",
                          "de": "Sie importieren nur in Ihre eigenen Datensätze; diese Zeile nennt «{value}»."},
    "unknown_reference": {"en": "No {what} “{value}”.", "de": "Kein(e) {what} «{value}»."},
    "ambiguous_reference": {"en": "{count} records match “{value}”; add the city or the external ID.",
                            "de": "{count} Datensätze passen zu «{value}»; ergänzen Sie den Ort oder die "
                                  "externe ID."},
    "account_not_allowed": {"en": "You may not add records to the account “{value}”.",
                            "de": "Sie dürfen dem Kunden «{value}» keine Datensätze hinzufügen."},
    "key_in_use": {"en": "This external ID is already in use.", "de": "Diese externe ID ist bereits vergeben."},
    "not_permitted": {"en": "A record with this key exists that you may not change.",
                      "de": "Es gibt einen Datensatz mit diesem Schlüssel, den Sie nicht ändern dürfen."},
    "ambiguous_key": {"en": "{count} existing records match this key ({key}); it must name one.",
                      "de": "{count} bestehende Datensätze passen zu diesem Schlüssel ({key}); er muss genau "
                            "einen bezeichnen."},
    "missing_key": {"en": "The key ({key}) is empty in this row.",
                    "de": "Der Schlüssel ({key}) ist in dieser Zeile leer."},
    "duplicate_in_file": {"en": "Same key as row {first_row}: skipped as a duplicate.",
                          "de": "Gleicher Schlüssel wie Zeile {first_row}: als Duplikat übersprungen."},
    "not_a_company": {"en": "A person, not a company: skipped.",
                      "de": "Eine Person, keine Firma: übersprungen."},
    "a_company": {"en": "A company, not a person: skipped.", "de": "Eine Firma, keine Person: übersprungen."},
    "no_catalogue": {"en": "No published question catalogue exists for the checklist answers. Ask an "
                           "administrator.",
                     "de": "Für die Checklisten-Antworten gibt es keinen veröffentlichten Fragenkatalog. Wenden "
                           "Sie sich an einen Administrator."},
    "invalid": {"en": "{message}", "de": "{message}"},
    "model_validation": {"en": "{message_en}", "de": "{message_de}"},
}

ROW_LABEL = {"en": "Row {row}", "de": "Zeile {row}"}


def describe(code: str, params: dict | None = None, language: str = "en") -> str:
    """The reason in `language` ("de…" gives German, anything else English)."""
    lang = "de" if (language or "").lower().startswith("de") else "en"
    template = MESSAGES.get(code, {}).get(lang)
    if template is None:
        return code
    try:
        return template.format(**(params or {}))
    except (KeyError, IndexError, ValueError):
        return template
