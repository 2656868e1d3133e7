"""Scoring the whole network: stream every account's figures from the database into numpy columns,
let the domain score, rank and classify them, and write the result as a snapshot in one transaction.

Nothing here decides how an account is scored; that is ``kundennetz.domain.portfolio``. This module
only knows where the figures come from:

- fields of the account (``field:<name>``: potential, contribution margin %, … — any numeric field the
  model names; a field the account does not have yet counts as missing for everybody);
- SQL aggregates per account (won/lost opportunities, first order, contact points by buying role) and
  figure sources other apps register (``register_figure_source``: the interactions of the last 12
  months come from there once that app exists);
- manual ratings (``manual:<criterion>``).

Accounts are read in chunks of ids (``values_list`` + ``iterator``) and every aggregate is asked for
the same id range, so memory holds a few numpy arrays per account and never a Python object per row.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice

import numpy as np
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Case, Count, F, FloatField, Func, Min, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from kundennetz.accounts.models import Account, Contact, Opportunity, Stage
from kundennetz.core import concurrency, freshness, tunables
from kundennetz.core.models import StaleVersion
from kundennetz.core.permissions import of_live_accounts
from kundennetz.core.services import save_record
from kundennetz.core.tunables.schemas import RelationshipWeights
from kundennetz.domain import portfolio as rules

from . import summary
from .models import (
    AccountPosition,
    ManualRating,
    PortfolioSnapshot,
    PositionMove,
    ScoringModel,
    StrategyOverride,
    parse_period,
    period_of,
)
from .signals import strategies_changed

CHUNK_SIZE = 50_000
WRITE_BATCH = 20_000
INTERACTION_DAYS = 365

# Until contacts carry a relationship level of their own, a person's buying-centre role stands in for
# it (levels of the domain, 1 = known by name … 5 = trusted advocate; opponents add nothing). The
# levels are the tunable RelationshipWeights.role_levels (kundennetz.core.tunables).

NUMERIC_FIELDS = (models.DecimalField, models.FloatField, models.IntegerField)


# --------------------------------------------------------------------------------------------------
# Figure sources (the hook for other apps)
# --------------------------------------------------------------------------------------------------

FIGURES = ("interactions", "contact_points")


@dataclass(frozen=True)
class FigureSource:
    """Per-account numbers another app contributes to the computed figures.

    ``figure`` is ``interactions`` (how many in the ``INTERACTION_DAYS`` up to ``as_of``) or
    ``contact_points`` (Σ (relationship level − 1) / 4 over the account's people, see
    ``domain.portfolio.contact_points``). ``rows(first_id, last_id, as_of)`` yields
    ``(account_id, value)`` for accounts in that id range, one aggregate query per call; accounts it
    leaves out count 0. Values of sources with the same figure add up. Best return a ``values_list``
    queryset: its SQL is then read without Django's per-row work (see ``_fetch``).
    """

    name: str
    figure: str
    rows: Callable[[int, int, date], Iterable[tuple[int, float]]]
    inputs: tuple[str, ...] = ()
    """The tables the figure is read from (``"app_label.Model"``): a change there makes snapshots out of date."""

    def __post_init__(self):
        if self.figure not in FIGURES:
            raise ValueError(f"unknown figure {self.figure!r}; known: {', '.join(FIGURES)}")


_SOURCES: dict[str, FigureSource] = {}


def register_figure_source(source: FigureSource) -> None:
    """Add (or replace, by name) a source; call it from the contributing app's ``AppConfig.ready``."""
    _SOURCES[source.name] = source
    freshness.register(SNAPSHOT_INPUTS, models=source.inputs)


def figure_sources() -> list[FigureSource]:
    return list(_SOURCES.values())


def _contact_points_rows(first: int, last: int, as_of: date):
    levels = tunables.get(RelationshipWeights)
    points = [When(buying_role=role, then=Value(rules.contact_points([level])))
              for role, level in levels.role_levels.items()]
    value = Case(When(attitude=Contact.Attitude.OPPONENT, then=Value(0.0)), *points,
                 default=Value(rules.contact_points([levels.unknown_role_level])), output_field=FloatField())
    return (Contact.objects.filter(account_id__gte=first, account_id__lte=last)
            .values("account_id").order_by().annotate(_points=Sum(value, output_field=RawFloatField()))
            .values_list("account_id", "_points"))


# What a snapshot is computed from (``core.freshness``): a change to any of these makes it out of date.
SNAPSHOT_INPUTS = "portfolio"
freshness.register(SNAPSHOT_INPUTS, models=("accounts.Account", "accounts.Opportunity", "accounts.Stage",
                                            "portfolio.ManualRating", "portfolio.StrategyOverride",
                                            "portfolio.ScoringModel"),
                   tunables=(RelationshipWeights,))
register_figure_source(FigureSource("contacts", "contact_points", _contact_points_rows, inputs=("accounts.Contact",)))


# --------------------------------------------------------------------------------------------------
# Reading the figures
# --------------------------------------------------------------------------------------------------


class RawFloatField(FloatField):
    """A number the database hands over as a float (or an int, or None), with no conversion after.

    Casting money to it makes PostgreSQL send floats instead of numerics, which the driver would turn
    into a Decimal each; and Django would convert every value of a float or integer expression once
    more in Python. Over a million rows either costs more than the scoring; numpy converts a whole
    column in one go anyway.
    """

    def get_internal_type(self):
        return "RawFloatField"

    def db_type(self, connection):
        return FloatField().db_type(connection)


def _raw(expression):
    return Cast(expression, RawFloatField())


class DaysSince(Func):
    """Whole days from a date or timestamp column to ``as_of`` (negative when it lies after it)."""

    output_field = RawFloatField()

    def __init__(self, expression, as_of: date):
        super().__init__(expression, Value(as_of.isoformat()))

    def _parts(self, compiler):
        column, as_of = self.source_expressions
        column_sql, column_params = compiler.compile(column)
        as_of_sql, as_of_params = compiler.compile(as_of)
        return column_sql, as_of_sql, (*as_of_params, *column_params)

    def as_sqlite(self, compiler, conn, **extra):
        column_sql, as_of_sql, params = self._parts(compiler)
        return f"(julianday(date({as_of_sql})) - julianday(date({column_sql})))", params

    def as_sql(self, compiler, conn, **extra):
        column_sql, as_of_sql, params = self._parts(compiler)
        return f"(CAST({as_of_sql} AS date) - CAST({column_sql} AS date))::double precision", params


@dataclass
class Chunk:
    """The figures of one run of accounts, as columns keyed like the model's sources."""

    ids: np.ndarray
    columns: dict[str, np.ndarray]
    revenue: np.ndarray
    margin: np.ndarray
    """Contribution margin as an amount (revenue × margin %), for the ABC analysis by margin."""


def _matrix(rows: list[tuple], width: int) -> np.ndarray:
    # None becomes NaN: a missing figure stays missing, it never turns into 0.
    if not rows:
        return np.zeros((0, width))
    return np.array(rows, dtype=np.float64).reshape(len(rows), width)


def _plain_sql(queryset) -> tuple[str, tuple] | None:
    """The SQL of a ``values_list`` queryset whose columns come back in the order asked for, else None."""
    if not isinstance(queryset, QuerySet) or not queryset._fields:
        return None
    query = queryset.query
    if [*query.extra_select, *query.values_select, *query.annotation_select] != list(queryset._fields):
        return None
    return query.sql_with_params()


def _fetch(rows) -> list[tuple]:
    """All rows of a ``values_list`` queryset (or any iterable of tuples).

    A queryset's SQL is run on a plain cursor: its values are plain numbers already (see
    ``RawFloatField``), and skipping Django's per-row iteration saves a second per million rows.
    """
    plain = _plain_sql(rows)
    if plain is None:
        return list(rows)
    with connection.cursor() as cursor:
        cursor.execute(*plain)
        return cursor.fetchall()


def _stream(queryset, chunk_size: int) -> Iterator[list[tuple]]:
    """The rows of a ``values_list`` queryset in lists of ``chunk_size``, read as they are needed.

    ``chunked_cursor`` is a server-side cursor on PostgreSQL, so the client never holds more than a
    chunk; SQLite steps through the result anyway.
    """
    plain = _plain_sql(queryset)
    if plain is None:
        rows = queryset.iterator(chunk_size=chunk_size)
        while batch := list(islice(rows, chunk_size)):
            yield batch
        return
    with connection.chunked_cursor() as cursor:
        cursor.execute(*plain)
        while batch := cursor.fetchmany(chunk_size):
            yield batch


def _field_columns(model: rules.ScoringModel) -> dict[str, str]:
    """``field:<name>`` sources the account actually has as numbers, by source."""
    found = {}
    for source in model.columns_needed():
        kind, _sep, name = source.partition(":")
        if kind != "field":
            continue
        try:
            model_field = Account._meta.get_field(name)
        except FieldDoesNotExist:
            continue  # a field the account lacks is missing for everybody, not an error
        if isinstance(model_field, NUMERIC_FIELDS) and model_field.concrete:
            found[source] = name
    return found


@dataclass(frozen=True)
class _Plan:
    """What every chunk asks the database, worked out once per run."""

    as_of: date
    fields: dict[str, str]
    manual_keys: list[str]
    won_ids: list[int]
    lost_ids: list[int]


def iter_chunks(model: rules.ScoringModel, accounts=None, *, as_of: date | None = None,
                chunk_size: int = CHUNK_SIZE) -> Iterator[Chunk]:
    """Every account of ``accounts`` (default: all not in the trash) in id order, chunk by chunk."""
    as_of = as_of or timezone.localdate()
    accounts = Account.objects.all() if accounts is None else accounts
    needed = set(model.columns_needed())
    plan = _Plan(
        as_of=as_of,
        fields=_field_columns(model),
        manual_keys=[c.key for c in model.criteria if c.takes_manual and c.manual_key in needed],
        won_ids=list(Stage.objects.filter(type=Stage.Type.WON).values_list("pk", flat=True)),
        lost_ids=list(Stage.objects.filter(type=Stage.Type.LOST).values_list("pk", flat=True)),
    )
    # A prospect has been a customer for no days yet; a customer since the account was created.
    customer_days = Case(When(status=Account.Status.PROSPECT, then=Value(None)),
                         default=DaysSince("created_at", as_of), output_field=RawFloatField())
    numbers = {f"_n{i}": _raw(name) for i, name in enumerate(
        ["annual_revenue", "potential", "contribution_margin_pct", *plan.fields.values()])}
    rows = (accounts.order_by("pk").annotate(_id=_raw("pk"), _days=customer_days, **numbers)
            .values_list("_id", "_days", *numbers))
    width = 2 + len(numbers)
    for batch in _stream(rows, chunk_size):
        yield _chunk(_matrix(batch, width), plan)


def _chunk(matrix: np.ndarray, plan: _Plan) -> Chunk:
    ids = matrix[:, 0].astype(np.int64)
    n = ids.size
    first, last = int(ids[0]), int(ids[-1])
    days_created = matrix[:, 1]
    revenue, potential, margin_pct = matrix[:, 2], matrix[:, 3], matrix[:, 4]
    columns = {source: matrix[:, 5 + i] for i, source in enumerate(plan.fields)}

    won, lost, days_first_won = np.zeros(n), np.zeros(n), np.full(n, np.nan)
    won_q, lost_q = Q(stage_id__in=plan.won_ids), Q(stage_id__in=plan.lost_ids)
    first_won = Min(Case(When(won_q, then=F("closed_on")), default=None))
    opportunities = (Opportunity.objects.filter(account_id__gte=first, account_id__lte=last)
                     .values("account_id").order_by()
                     .annotate(_won=Count("pk", filter=won_q, output_field=RawFloatField()),
                               _lost=Count("pk", filter=lost_q, output_field=RawFloatField()),
                               _first=DaysSince(first_won, plan.as_of))
                     .values_list("account_id", "_won", "_lost", "_first"))
    agg = _matrix(_fetch(opportunities), 4)
    at, ok = _place(ids, agg[:, 0])
    won[at], lost[at], days_first_won[at] = agg[ok, 1], agg[ok, 2], agg[ok, 3]

    figures = {name: np.zeros(n) for name in FIGURES}
    for source in _SOURCES.values():
        found = _matrix(_fetch(source.rows(first, last, plan.as_of)), 2)
        at, ok = _place(ids, found[:, 0])
        np.add.at(figures[source.figure], at, np.nan_to_num(found[ok, 1]))

    # Customer since the account was created or since its first won order, whichever is earlier; a
    # prospect without an order has been one for 0 days (a measured value, not a missing one).
    days = np.fmax(days_created, days_first_won)
    days[np.isnan(days)] = 0.0
    columns.update(rules.computed_arrays(
        revenue=revenue, potential=potential, won=won, lost=lost, days_as_customer=days,
        interactions=figures["interactions"], contact_points_sum=figures["contact_points"],
        period_days=INTERACTION_DAYS))

    for key in plan.manual_keys:
        columns[f"manual:{key}"] = np.full(n, np.nan)
    if plan.manual_keys:
        ratings = ManualRating.objects.filter(account_id__gte=first, account_id__lte=last,
                                              criterion__in=plan.manual_keys).order_by()
        for account_id, criterion, value in _fetch(ratings.values_list("account_id", "criterion", "value")):
            at, ok = _place(ids, [account_id])
            if ok.all():
                columns[f"manual:{criterion}"][at[0]] = value
    with np.errstate(invalid="ignore"):
        margin = revenue * margin_pct / 100.0
    return Chunk(ids=ids, columns=columns, revenue=revenue, margin=margin)


def _place(ids: np.ndarray, found_ids) -> tuple[np.ndarray, np.ndarray]:
    """Positions in ``ids`` of ``found_ids``, and which of them are there at all."""
    found = np.asarray(found_ids, dtype=np.int64)
    at = np.minimum(np.searchsorted(ids, found), ids.size - 1)
    ok = ids[at] == found
    return at[ok], ok


# --------------------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------------------


@dataclass
class Scored:
    """The whole network's result as columns, in account-id order."""

    ids: np.ndarray
    attractiveness: np.ndarray
    position: np.ndarray
    attractiveness_coverage: np.ndarray
    position_coverage: np.ndarray
    cells: np.ndarray
    rank: np.ndarray
    order: np.ndarray
    abc_revenue: np.ndarray
    abc_margin: np.ndarray
    strategy_keys: tuple[str, ...] = ()
    strategy_index: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int16))

    @property
    def placed(self) -> int:
        return int((self.cells != rules.UNPLACED).sum())


def score_network(model: rules.ScoringModel, accounts=None, *, as_of: date | None = None,
                  chunk_size: int = CHUNK_SIZE) -> Scored:
    """Score every account chunk by chunk; only rank and ABC need all of them at once.

    What stays in memory is a handful of numbers per account in numpy columns (about 300 bytes per
    account at the peak, while ranking), never a Python object per account.
    """
    parts: dict[str, list[np.ndarray]] = {k: [] for k in ("ids", "att", "pos", "att_cov", "pos_cov", "cells",
                                                          "revenue", "margin")}
    for chunk in iter_chunks(model, accounts, as_of=as_of, chunk_size=chunk_size):
        n = chunk.ids.size
        att = rules.axis_arrays(model.attractiveness, chunk.columns, n=n, min_coverage=model.min_coverage)
        pos = rules.axis_arrays(model.position, chunk.columns, n=n, min_coverage=model.min_coverage)
        for key, value in (("ids", chunk.ids), ("att", att.score), ("pos", pos.score), ("att_cov", att.coverage),
                           ("pos_cov", pos.coverage), ("cells", model.grid.cell_index_array(att.score, pos.score)),
                           ("revenue", chunk.revenue), ("margin", chunk.margin)):
            parts[key].append(value)
    joined = {}
    for key in list(parts):
        # Each list goes as soon as its column is joined, so the chunks are never held twice over.
        chunks = parts.pop(key)
        joined[key] = np.concatenate(chunks) if chunks else np.zeros(0)
        del chunks
    ids = joined.pop("ids").astype(np.int64)
    cells = joined.pop("cells").astype(np.int16)
    revenue, margin = joined.pop("revenue"), joined.pop("margin")
    ranks = rules.rank_arrays(model, joined["att"], joined["pos"], revenue=revenue, ids=ids)
    abc_revenue = rules.abc_arrays(revenue, model.abc.a, model.abc.b)
    del revenue
    abc_margin = rules.abc_arrays(margin, model.abc.a, model.abc.b)
    del margin
    keys, strategy_index = rules.strategy_index_array(model, cells)
    return Scored(
        ids=ids, attractiveness=joined["att"], position=joined["pos"],
        attractiveness_coverage=joined["att_cov"], position_coverage=joined["pos_cov"], cells=cells,
        rank=ranks.rank, order=ranks.order, abc_revenue=abc_revenue, abc_margin=abc_margin,
        strategy_keys=keys, strategy_index=strategy_index,
    )


def account_facts(model: rules.ScoringModel, accounts, *, as_of: date | None = None) -> dict[int, rules.AccountFacts]:
    """What scoring knows about a few accounts, for showing one account's points and what is missing."""
    overrides = {o.account_id: o for o in StrategyOverride.objects.filter(account__in=accounts)}
    names = dict(accounts.values_list("pk", "name"))
    facts = {}
    for chunk in iter_chunks(model, accounts, as_of=as_of):
        for i, account_id in enumerate(chunk.ids.tolist()):
            values = {key: (None if np.isnan(col[i]) else float(col[i])) for key, col in chunk.columns.items()}
            override = overrides.get(account_id)
            facts[account_id] = rules.AccountFacts(
                id=account_id, name=names.get(account_id, ""), values=values,
                revenue=None if np.isnan(chunk.revenue[i]) else float(chunk.revenue[i]),
                contribution_margin=None if np.isnan(chunk.margin[i]) else float(chunk.margin[i]),
                override=(rules.StrategyOverride(override.strategy, override.reason)
                          if override and override.strategy in model.strategies else None),
            )
    return facts


def score_one(account, model: rules.ScoringModel | None = None, *, as_of: date | None = None):
    """The account scored live with the current model (without rank and ABC, which need everybody)."""
    if model is None:
        record = ScoringModel.current()
        if record is None:
            return None
        model = record.rules
    facts = account_facts(model, Account.objects.filter(pk=account.pk), as_of=as_of).get(account.pk)
    return None if facts is None else rules.score_account(model, facts)


# --------------------------------------------------------------------------------------------------
# Writing a snapshot
# --------------------------------------------------------------------------------------------------

POSITION_COLUMNS = ("snapshot_id", "account_id", "attractiveness", "position", "attractiveness_coverage",
                    "position_coverage", "rank", "order", "cell", "strategy",
                    "abc_revenue", "abc_margin")
POSITION_TYPES = ("int8", "int8", "float8", "float8", "float8", "float8", "int4", "int4", "varchar", "varchar",
                  "varchar", "varchar")


def _position_rows(snapshot_id: int, scored: Scored, cell_keys: tuple[str, ...], overrides: dict[int, str],
                   *, nan_is_null: bool) -> Iterator[list[tuple]]:
    """Rows for ``POSITION_COLUMNS`` in batches, missing scores and ranks as NULL.

    ``nan_is_null``: the database stores a float NaN as NULL by itself (SQLite does), so the columns
    can go over as they are instead of through a Python object per value.
    """
    labels = np.array(rules.ABC_LABELS, dtype=object)
    # The sentinel at the end turns UNPLACED (-1) into "" for cells and strategies alike.
    cell_names = np.array([*cell_keys, ""], dtype=object)
    strategy_names = np.array([*scored.strategy_keys, ""], dtype=object)

    def nullable(values: np.ndarray, missing: np.ndarray) -> list:
        if nan_is_null:
            return np.where(missing, np.nan, values).tolist()
        return np.where(missing, None, values).tolist()

    for start in range(0, scored.ids.size, WRITE_BATCH):
        part = slice(start, start + WRITE_BATCH)
        ids = scored.ids[part]
        computed = strategy_names[scored.strategy_index[part]]
        strategy = computed
        if overrides:
            strategy = computed.copy()
            for i, account_id in enumerate(ids.tolist()):
                if account_id in overrides:
                    strategy[i] = overrides[account_id]
        att, pos = scored.attractiveness[part], scored.position[part]
        rank, order = scored.rank[part], scored.order[part]
        unranked = rank < 0
        yield list(zip(
            [snapshot_id] * ids.size, ids.tolist(),
            nullable(att, np.isnan(att)), nullable(pos, np.isnan(pos)),
            scored.attractiveness_coverage[part].tolist(), scored.position_coverage[part].tolist(),
            np.where(unranked, None, rank).tolist(), np.where(unranked, None, order).tolist(),
            cell_names[scored.cells[part]].tolist(), strategy.tolist(),
            labels[scored.abc_revenue[part]].tolist(), labels[scored.abc_margin[part]].tolist(),
        ))


def _insert_positions(batches: Iterable[list[tuple]]) -> None:
    table = AccountPosition._meta.db_table
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in POSITION_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY is the bulk path of PostgreSQL, several times faster than any INSERT; in binary the
            # driver converts the values in C.
            with cursor.cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(POSITION_TYPES)
                for batch in batches:
                    for row in batch:
                        copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(POSITION_COLUMNS))
        sql = f"INSERT INTO {quote(table)} ({columns}) VALUES ({placeholders})"
        for batch in batches:
            cursor.executemany(sql, batch)


def delete_snapshot(snapshot: PortfolioSnapshot) -> None:
    with transaction.atomic():
        # One DELETE each instead of the ORM collecting a million positions before deleting them.
        with connection.cursor() as cursor:
            for model in (AccountPosition, PositionMove):
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)} "
                               "WHERE snapshot_id = %s", [snapshot.pk])
        PortfolioSnapshot.objects.filter(pk=snapshot.pk).delete()


def recompute(*, period: str | None = None, as_of: date | None = None, user=None,
              model_record: ScoringModel | None = None, chunk_size: int = CHUNK_SIZE) -> PortfolioSnapshot:
    """Score every account with the current model and keep the result as the snapshot of ``period``.

    ``period`` is ``2026-Q4`` or ``2026`` (default: the quarter of ``as_of``, which defaults to today);
    an existing snapshot of the same period is replaced. All or nothing: the snapshot is written in
    one transaction.
    """
    started = time.perf_counter()
    # Taken before reading: a change while scoring leaves the snapshot out of date rather than hiding it.
    inputs = freshness.fingerprint(SNAPSHOT_INPUTS)
    as_of = as_of or timezone.localdate()
    period = (period or period_of(as_of)).strip()
    span = parse_period(period)
    period = span.code  # "2026q4" and "2026-Q4" are one period
    model_record = model_record or ScoringModel.current()
    if model_record is None:
        raise ValidationError(_("There is no scoring model yet."))
    model = model_record.rules
    scored = score_network(model, as_of=as_of, chunk_size=chunk_size)
    overrides = {account_id: strategy for account_id, strategy in
                 of_live_accounts(StrategyOverride.objects.all())
                 .values_list("account_id", "strategy") if strategy in model.strategies}
    try:
        with transaction.atomic():
            old = PortfolioSnapshot.objects.filter(period=period).first()
            if old is not None:
                delete_snapshot(old)
            snapshot = PortfolioSnapshot.objects.create(
                period=period, period_start=span.start, period_end=span.end, as_of=as_of,
                scoring_model=model_record, grid=model.grid_key, account_count=int(scored.ids.size), inputs=inputs,
                placed_count=scored.placed, created_by=user if getattr(user, "is_authenticated", False) else None)
            _insert_positions(_position_rows(snapshot.pk, scored, model.grid.cell_keys, overrides,
                                             nan_is_null=connection.vendor == "sqlite"))
            # What the portfolio page counts of the whole snapshot, and the moves since the one before.
            summary.store(snapshot)
            summary.store_following(snapshot)
            snapshot.seconds = round(time.perf_counter() - started, 3)
            snapshot.save(update_fields=["seconds"])
            strategies_changed.send(sender=PortfolioSnapshot, account_ids=None)
    except IntegrityError:
        # Someone else took a snapshot of the same period in the meantime; theirs stands.
        raise ValidationError({"period": _("A snapshot of this period was taken at the same moment by someone "
                                           "else. Look at it, or try again.")}) from None
    return snapshot


def refresh_if_stale(today: date | None = None) -> bool:
    """Take the newest snapshot again when its inputs changed since (same period); True when it did."""
    snapshot = PortfolioSnapshot.current()
    if snapshot is None or not snapshot.freshness(current=True).out_of_date:
        return False
    today = today or timezone.localdate()
    recompute(period=snapshot.period, as_of=min(today, snapshot.period_end), user=snapshot.created_by)
    return True


# --------------------------------------------------------------------------------------------------
# Changes made by people
# --------------------------------------------------------------------------------------------------


class StaleModel(Exception):
    """Another version of the scoring model was saved since the one the change is based on."""

    def __init__(self, current: ScoringModel):
        super().__init__(current.version)
        self.current = current


def publish_model(definition: dict, user, comment: str = "", based_on: int | None = None) -> ScoringModel:
    """Save ``definition`` as the next version of the scoring model (it becomes the current one).

    Raises ValidationError (at ``definition``) when the domain refuses the model, and `StaleModel` when
    ``based_on`` (the version the user edited) is no longer the newest: nobody's version is replaced unseen.
    """
    with transaction.atomic():
        latest = ScoringModel.objects.select_for_update().order_by("-version").first()
        if based_on is not None and latest is not None and latest.version != based_on:
            raise StaleModel(latest)
        version = (latest.version if latest else 0) + 1
        data = dict(definition)
        data["version"] = version
        data["is_default"] = False
        record = ScoringModel(version=version, definition=data, comment=comment[:300],
                              created_by=user if getattr(user, "is_authenticated", False) else None)
        record.full_clean()
        record.save()
    return record


def set_override(account, user, strategy: str, reason: str) -> StrategyOverride:
    def change(override):
        # An API PUT with If-Match: 412 when the override changed since it was read (nothing outside the API).
        concurrency.require_absent_if_match(override.pk is not None)
        concurrency.record(override if override.pk else None)
        override.strategy = strategy
        override.reason = (reason or "").strip()
        return save_record(override, user)

    # Two people setting it at the same moment: one creates it, the other then changes it (no error).
    with transaction.atomic():
        override = concurrency.upsert(StrategyOverride, {"account": account}, change)
        strategies_changed.send(sender=StrategyOverride, account_ids=[account.pk])
    return override


def clear_override(account, user) -> bool:
    override = StrategyOverride.objects.filter(account=account).first()
    if override is None:
        return False
    override._history_user = user
    with transaction.atomic():
        override.delete()
        strategies_changed.send(sender=StrategyOverride, account_ids=[account.pk])
    return True


def set_rating(account, user, criterion: str, value: int | None, note: str = "", *,
               based_on: int | None = None) -> ManualRating | None:
    """Save a manual rating; ``None`` removes it (the removal stays in the history).

    `based_on` is the version of the rating the change was decided on (0: none yet); when the rating stored
    is another one (someone saved or removed it meanwhile), `StaleVersion` is raised and nothing changes."""
    rating = ManualRating.objects.filter(account=account, criterion=criterion).first()

    def check(rating):
        if based_on is not None and (rating.version if rating is not None and rating.pk else 0) != based_on:
            raise StaleVersion(rating)

    if value is None:
        concurrency.require_absent_if_match(rating is not None)
        check(rating)
        if rating is not None:
            concurrency.record(rating)  # an API PUT with If-Match: 412 when stale
            rating._history_user = user
            rating.delete()
        return None

    def change(rating):
        # An API PUT with If-Match: 412 when the rating changed since it was read (nothing outside the API).
        concurrency.require_absent_if_match(rating.pk is not None)
        concurrency.record(rating if rating.pk else None)
        check(rating)
        if rating.pk is not None and rating.value == value and rating.note == (note or "").strip():
            return rating
        rating.value = value
        rating.note = (note or "").strip()
        return save_record(rating, user)

    # Two people rating at the same moment: one creates the rating, the other then changes it (no error).
    return concurrency.upsert(ManualRating, {"account": account, "criterion": criterion}, change)


def stored_ratings(account, *, lock: bool = False) -> dict:
    """The account's manual ratings by criterion; `lock`: locked until the transaction ends (PostgreSQL)."""
    ratings = ManualRating.objects.filter(account=account)
    if lock:
        ratings = ratings.select_for_update(no_key=True)
    return {r.criterion: r for r in ratings}


def save_value_proposition(form, user):
    """Save a value proposition form with its customer groups, stamped and in the history as `user`."""
    with transaction.atomic():
        item = form.save(commit=False)
        item.stamp(user)
        item._history_user = user
        item.save()
        form.save_m2m()
    return item
