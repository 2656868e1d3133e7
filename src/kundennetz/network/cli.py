"""Analyse relationship-network files without a database (`kundennetz network`).

A file holds::

    {"our_people": ["anna", "ben"],
     "contacts": [{"id": "c1", "role": "decision_maker"}, {"id": "c2", "role": "coach"}],
     "relations": [{"a": "anna", "b": "c2", "kind": "knows", "strength": 0.8},
                   {"a": "c2", "b": "c1", "kind": "reports_to"}],
     "opportunity_contacts": ["c1", "c2"],
     "min_strength": 0.5}

With ``as_json`` every good file gives one JSON line (``"file"`` first, then the keys of
`kundennetz.domain.network.Analysis.to_dict`); every bad file gives one line on stderr naming the file and
the problem, and the exit status becomes 2. Reading and JSON errors are worded like `kundennetz qualify`'s.
"""

from __future__ import annotations

import json
from typing import IO

from kundennetz.domain import network as nw
from kundennetz.qualification.cli import (
    InputError,
    gettext_noop,
    kind_of,
    one_line,
    parse_json,
    read_input,
    show,
    translate,
)

EXIT_BAD_INPUT = 2
FIELDS = ("our_people", "contacts", "relations", "opportunity_contacts", "min_strength")
REQUIRED = ("our_people", "contacts", "relations")
CONTACT_FIELDS = ("id", "role")
RELATION_FIELDS = ("a", "b", "kind", "strength")

_ = gettext_noop
# The summary's texts, marked for the translation catalogue (which holds their German).
SUMMARY_TEXTS = (
    _("Decision makers: {count}"), _("covered: {names}"), _("uncovered: {names}"), _("Bus factor: {value}"),
    _("none (no decision maker)"), _("Independent routes to each decision maker: {routes}"),
    _("Weak points: {names}"), _("Threads of the opportunity: {count}"), _("single-threaded"), _("none"),
)
# The domain's rule codes, worded for a file (where = the place in the file).
RULES = {
    "undeclared_id": _("{where}: id {id} is not declared"),
    "unknown_kind": _("{where}: unknown kind {kind} (expected one of: {kinds})"),
    "knows_sides": _("{where}: knows must join one of our people and a contact"),
    "strength_missing": _("{where}: knows needs a strength from 0 to 1"),
    "strength_range": _("{where}: {field} must be a number from 0 to 1, not {value}"),
    "contacts_only": _("{where}: {kind} must join two contacts, not one of our people"),
    "self_relation": _("{where}: {kind} must join two different contacts"),
}
del _


def _object(value: object, where: str | None, fields: tuple[str, ...], required: tuple[str, ...]) -> dict:
    if not isinstance(value, dict):
        if where is None:
            raise InputError(gettext_noop("expected a JSON object, not {kind}"), kind=kind_of(value))
        raise InputError(gettext_noop("{where}: expected a JSON object, not {kind}"), where=where, kind=kind_of(value))
    for key in value:
        if key not in fields:
            params = {"key": show(key), "keys": ", ".join(fields)}
            if where is None:
                raise InputError(gettext_noop("unknown key {key} (allowed: {keys})"), **params)
            raise InputError(gettext_noop("{where}: unknown key {key} (allowed: {keys})"), where=where, **params)
    for key in required:
        if key not in value:
            if where is None:
                raise InputError(gettext_noop("missing key {key}"), key=show(key))
            raise InputError(gettext_noop("{where}: missing key {key}"), where=where, key=show(key))
    return value


def _list(data: dict, key: str) -> list:
    value = data[key]
    if not isinstance(value, list):
        raise InputError(gettext_noop("{where}: expected a list, not {kind}"), where=key, kind=kind_of(value))
    return value


def _id(value: object, where: str) -> str | int:
    """An id is a non-empty text or a whole number (as given: "1" and 1 are two different ids)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if not isinstance(value, str) or not value.strip():
        raise InputError(gettext_noop("{where}: an id must be a non-empty text or a whole number, not {value}"),
                         where=where, value=show(value))
    return value


def _rule(error: nw.NetworkError, where: str) -> InputError:
    params = {k: (v if k in ("field", "kinds", "kind") else show(v)) for k, v in error.params.items()}
    return InputError(RULES[error.code], where=where, **params)


def parse_network(data: object) -> tuple[nw.Network, list[str] | None]:
    """The checked network and the opportunity's contacts (None when not given) of one parsed file."""
    data = _object(data, None, FIELDS, REQUIRED)
    declared: dict[str, str] = {}  # id -> where it was declared
    ours: list[str] = []
    for index, value in enumerate(_list(data, "our_people")):
        where = f"our_people[{index}]"
        person = _id(value, where)
        if person in declared:
            raise InputError(gettext_noop("{where}: id {id} is used twice"), where=where, id=show(person))
        declared[person] = where
        ours.append(person)
    contacts: dict[str, str] = {}
    for index, item in enumerate(_list(data, "contacts")):
        where = f"contacts[{index}]"
        item = _object(item, where, CONTACT_FIELDS, CONTACT_FIELDS)
        contact = _id(item["id"], where + ".id")
        if contact in contacts:
            raise InputError(gettext_noop("{where}: id {id} is used twice"), where=where, id=show(contact))
        if contact in declared:
            raise InputError(gettext_noop("{where}: id {id} is both one of our people and a contact"),
                             where=where, id=show(contact))
        if item["role"] not in nw.ROLES:
            raise InputError(gettext_noop("{where}: unknown role {role} (expected one of: {roles})"),
                             where=where + ".role", role=show(item["role"]), roles=", ".join(nw.ROLES))
        declared[contact] = where
        contacts[contact] = item["role"]
    ours_set = set(ours)
    relations = []
    for index, item in enumerate(_list(data, "relations")):
        where = f"relations[{index}]"
        item = _object(item, where, RELATION_FIELDS, ("a", "b", "kind"))
        ends = [_id(item[end], f"{where}.{end}") for end in ("a", "b")]
        kind = item["kind"]
        if kind not in nw.KINDS:
            raise InputError(RULES["unknown_kind"], where=where + ".kind", kind=show(kind), kinds=", ".join(nw.KINDS))
        for end, person in zip(("a", "b"), ends):
            if person not in declared:
                raise InputError(RULES["undeclared_id"], where=f"{where}.{end}", id=show(person))
        try:
            strength = nw.check_relation(kind, ends[0] in ours_set, ends[1] in ours_set, item.get("strength"),
                                         ends[0] == ends[1])
        except nw.NetworkError as error:
            raise _rule(error, where) from None
        relations.append(nw.Relation(ends[0], ends[1], kind, strength))

    opportunity = None
    if "opportunity_contacts" in data:
        opportunity = []
        for index, value in enumerate(_list(data, "opportunity_contacts")):
            where = f"opportunity_contacts[{index}]"
            contact = _id(value, where)
            if contact in ours_set:
                raise InputError(gettext_noop("{where}: id {id} is one of our people, not a contact"),
                                 where=where, id=show(contact))
            if contact not in contacts:
                raise InputError(RULES["undeclared_id"], where=where, id=show(contact))
            if contact in opportunity:
                raise InputError(gettext_noop("{where}: id {id} is used twice"), where=where, id=show(contact))
            opportunity.append(contact)
    min_strength = data.get("min_strength", nw.DEFAULT_MIN_STRENGTH)
    try:
        nw.check_strength(min_strength, field_name="min_strength")
    except nw.NetworkError:
        raise InputError(gettext_noop("{field} must be a number from 0 to 1, not {value}"),
                         field="min_strength", value=show(min_strength)) from None
    return nw.Network.build(ours, contacts, relations, min_strength), opportunity


def summary(path: str, analysis: nw.Analysis, language: str) -> list[str]:
    def t(message: str, **params: object) -> str:
        return translate(message, language, **params)

    def names(ids: list) -> str:
        return ", ".join(str(i) for i in ids) if ids else t("none")

    lines = [f"{path}:", "  " + t("Decision makers: {count}", count=len(analysis.decision_makers))]
    if analysis.decision_makers:
        lines.append("    " + t("covered: {names}", names=names(analysis.covered)))
        lines.append("    " + t("uncovered: {names}", names=names(analysis.uncovered)))
    lines.append("  " + t("Bus factor: {value}", value=analysis.bus_factor if analysis.bus_factor is not None
                          else t("none (no decision maker)")))
    if analysis.routes:
        lines.append("  " + t("Independent routes to each decision maker: {routes}",
                              routes=", ".join(f"{d} {n}" for d, n in analysis.routes.items())))
    lines.append("  " + t("Weak points: {names}", names=names(analysis.weak_points)))
    if analysis.threads is not None:
        line = t("Threads of the opportunity: {count}", count=analysis.threads)
        lines.append("  " + (f"{line} ({t('single-threaded')})" if analysis.single_threaded else line))
    return lines


def run_network(paths: list[str], *, as_json: bool, stdin: IO, stdout: IO, stderr: IO, language: str = "en") -> int:
    """Analyse each file in order; 0 if all were good, else 2 (bad files reported on stderr, one line each)."""
    language = "de" if (language or "").lower().startswith("de") else "en"
    status, printed = 0, False
    for path in paths:
        try:
            network, opportunity = parse_network(parse_json(read_input(path, stdin)))
        except InputError as error:
            stderr.write(one_line(f"{path}: {translate(error.message, language, **error.params)}") + "\n")
            status = EXIT_BAD_INPUT
            continue
        analysis = nw.analyse(network, opportunity)
        if as_json:
            stdout.write(json.dumps({"file": path, **analysis.to_dict()}) + "\n")
        else:
            separator = [""] if printed else []
            stdout.write("\n".join([*separator, *summary(path, analysis, language)]) + "\n")
        printed = True
    return status
