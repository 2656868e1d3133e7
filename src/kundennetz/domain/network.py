"""The customer network as a graph: decision-maker coverage, bus factor, routes, weak points, threads.

Plain Python, no Django. People are any hashable, sortable ids; ours and theirs (contacts) are disjoint.

Definitions (the one place they are implemented):

- ``decision_makers``: the contacts whose role is ``decision_maker``, sorted.
- ``covered``: those known by at least one of our people with strength >= ``min_strength`` (of several
  relations between the same two people, the strongest counts); ``uncovered``: the rest.
- ``bus_factor``: the smallest number of our people whose absence leaves some decision maker uncovered
  (0 when one already is); None when there is no decision maker. Only direct ``knows`` relations cover, so
  this is the smallest number of strong-enough acquaintances any decision maker has.
- ``routes``: per decision maker, the largest number of paths from us to it that share no person, in the
  undirected graph of strong-enough ``knows``, ``reports_to`` and ``influences`` plus a node "us" joined to
  each of our people (paths share no node but "us" and the decision maker).
- ``weak_points``: the people (ours or theirs) whose removal alone leaves some other decision maker that had
  a route with none.
- ``threads``: how many of an opportunity's contacts at least one of our people knows with strength >=
  ``min_strength``; ``single_threaded``: threads <= 1.

The graph measures are computed with a small unit-capacity max-flow instead of networkx's general one:
the same numbers (the tests compare both), a hundred times faster on the many small graphs of a portfolio.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

DECISION_MAKER = "decision_maker"
ROLES = ("decision_maker", "influencer", "technical_evaluator", "user", "gatekeeper", "coach")
KNOWS, REPORTS_TO, INFLUENCES = "knows", "reports_to", "influences"
KINDS = (KNOWS, REPORTS_TO, INFLUENCES)
BETWEEN_CONTACTS = (REPORTS_TO, INFLUENCES)
DEFAULT_MIN_STRENGTH = 0.5

Id = Hashable


class NetworkError(ValueError):
    """A relation or a network that breaks a rule; `code` names the rule, `params` the values involved."""

    def __init__(self, code: str, message: str, **params: object):
        super().__init__(message.format(**params))
        self.code, self.message, self.params = code, message, params


def check_strength(strength: object, *, field_name: str = "strength") -> float:
    """A strength (or threshold) is a number from 0 to 1 inclusive; returns it as a float."""
    if isinstance(strength, bool) or not isinstance(strength, int | float) or not math.isfinite(strength) \
            or not 0 <= strength <= 1:
        raise NetworkError("strength_range", "{field} must be a number from 0 to 1, not {value}",
                           field=field_name, value=strength)
    return float(strength)


def check_relation(kind: str, a_is_ours: bool, b_is_ours: bool, strength: object = None,
                   same_person: bool = False) -> float | None:
    """The rules every relation keeps, wherever it comes from; returns the strength (None unless `knows`).

    `knows` joins one of our people and a contact (either order) and needs a strength 0–1;
    `reports_to` and `influences` join two different contacts.
    """
    if kind not in KINDS:
        raise NetworkError("unknown_kind", "unknown kind {kind} (expected one of: {kinds})",
                           kind=kind, kinds=", ".join(KINDS))
    if kind == KNOWS:
        if a_is_ours == b_is_ours:
            raise NetworkError("knows_sides", "knows must join one of our people and a contact")
        if strength is None:
            raise NetworkError("strength_missing", "knows needs a strength from 0 to 1")
        return check_strength(strength)
    if a_is_ours or b_is_ours:
        raise NetworkError("contacts_only", "{kind} must join two contacts, not one of our people", kind=kind)
    if same_person:
        raise NetworkError("self_relation", "{kind} must join two different contacts", kind=kind)
    if strength is not None:
        check_strength(strength)
    return None


@dataclass(frozen=True)
class Relation:
    a: Id
    b: Id
    kind: str
    strength: float | None = None


@dataclass(frozen=True)
class Network:
    """Our people, the contacts with their buying-centre role (None when unknown) and the relations."""

    our_people: frozenset
    contacts: Mapping[Id, str | None]
    relations: tuple[Relation, ...] = ()
    min_strength: float = DEFAULT_MIN_STRENGTH

    @classmethod
    def build(cls, our_people: Iterable[Id], contacts: Mapping[Id, str | None] | Iterable[tuple[Id, str | None]],
              relations: Iterable[Relation] = (), min_strength: float = DEFAULT_MIN_STRENGTH) -> Network:
        """A checked network: ids declared once, on one side; every relation keeps `check_relation`."""
        ours = list(our_people)
        theirs = dict(contacts.items() if isinstance(contacts, Mapping) else contacts)
        if len(set(ours)) != len(ours):
            raise NetworkError("duplicate_id", "id {id} is used twice", id=_first_duplicate(ours))
        both = sorted(set(ours) & set(theirs), key=_sort_key)
        if both:
            raise NetworkError("ours_and_theirs", "id {id} is both one of our people and a contact", id=both[0])
        for role in theirs.values():
            if role is not None and role not in ROLES:
                raise NetworkError("unknown_role", "unknown role {role}", role=role)
        ours_set = frozenset(ours)
        checked = []
        for relation in relations:
            for end in (relation.a, relation.b):
                if end not in ours_set and end not in theirs:
                    raise NetworkError("undeclared_id", "id {id} is not declared", id=end)
            strength = check_relation(relation.kind, relation.a in ours_set, relation.b in ours_set,
                                      relation.strength, relation.a == relation.b)
            checked.append(Relation(relation.a, relation.b, relation.kind, strength))
        return cls(ours_set, theirs, tuple(checked), check_strength(min_strength, field_name="min_strength"))

    @property
    def decision_makers(self) -> list:
        return sorted((c for c, role in self.contacts.items() if role == DECISION_MAKER), key=_sort_key)

    def strongest_knows(self) -> dict[tuple[Id, Id], float]:
        """(our person, contact) -> the strongest `knows` between them."""
        best: dict[tuple[Id, Id], float] = {}
        for r in self.relations:
            if r.kind == KNOWS:
                pair = (r.a, r.b) if r.a in self.our_people else (r.b, r.a)
                best[pair] = max(best.get(pair, 0.0), r.strength or 0.0)
        return best

    def knowers(self) -> dict[Id, set]:
        """Contact -> our people who know them with strength >= min_strength."""
        known: dict[Id, set] = {}
        for (ours, contact), strength in self.strongest_knows().items():
            if strength >= self.min_strength:
                known.setdefault(contact, set()).add(ours)
        return known

    def adjacency(self) -> dict[Id, set]:
        """The undirected graph of the definitions, without the node "us"."""
        adjacent: dict[Id, set] = {p: set() for p in (*self.our_people, *self.contacts)}
        knows = self.knowers()
        for contact, people in knows.items():
            for ours in people:
                adjacent[ours].add(contact)
                adjacent[contact].add(ours)
        for r in self.relations:
            if r.kind in BETWEEN_CONTACTS and r.a != r.b:
                adjacent[r.a].add(r.b)
                adjacent[r.b].add(r.a)
        return adjacent

    def without(self, person: Id) -> Network:
        """The same network with one person (ours or theirs) and their relations removed."""
        contacts = {c: role for c, role in self.contacts.items() if c != person}
        relations = tuple(r for r in self.relations if person not in (r.a, r.b))
        return Network(self.our_people - {person}, contacts, relations, self.min_strength)

    def plus(self, relation: Relation) -> Network:
        return Network(self.our_people, self.contacts, (*self.relations, relation), self.min_strength)


@dataclass(frozen=True)
class Introduction:
    """How to reach an uncovered decision maker: our person, then the chain of contacts to them."""

    decision_maker: Id
    our_person: Id
    via: tuple  # contacts between our person and the decision maker, nearest to us first


@dataclass(frozen=True)
class Analysis:
    decision_makers: list
    covered: list
    uncovered: list
    bus_factor: int | None
    routes: dict
    weak_points: list
    threads: int | None = None
    single_threaded: bool | None = None
    knowers: dict = field(default_factory=dict)  # decision maker -> sorted our people who cover them
    introductions: list = field(default_factory=list)

    def to_dict(self) -> dict:
        """The keys of the command-line contract (threads only when there was an opportunity)."""
        result = {"decision_makers": self.decision_makers, "covered": self.covered, "uncovered": self.uncovered,
                  "bus_factor": self.bus_factor, "routes": dict(self.routes), "weak_points": self.weak_points}
        if self.threads is not None:
            result["threads"] = self.threads
            result["single_threaded"] = self.single_threaded
        return result


class _Us:
    """The node "us", joined to each of our people; cannot collide with any id."""

    def __repr__(self) -> str:
        return "us"


US = _Us()


def analyse(network: Network, opportunity_contacts: Sequence[Id] | None = None) -> Analysis:
    """Every measure of the definitions above, for one account (and optionally one opportunity)."""
    decision_makers = network.decision_makers
    knowers = network.knowers()
    covered = [d for d in decision_makers if knowers.get(d)]
    uncovered = [d for d in decision_makers if not knowers.get(d)]
    bus_factor = min((len(knowers.get(d, ())) for d in decision_makers), default=None)

    graph = network.adjacency()
    graph[US] = set(network.our_people)
    for ours in network.our_people:
        graph[ours].add(US)
    reachable = _reachable(graph, US)
    routes, single_paths = {}, {}
    for d in decision_makers:
        if d not in reachable:
            routes[d] = 0
            continue
        count, path = disjoint_paths(graph, US, d)
        routes[d] = count
        if count == 1:
            single_paths[d] = path
    weak = set()
    for d, path in single_paths.items():
        for person in path[1:-1]:  # a cut between us and d lies on every path, so on this one
            if person not in weak and d not in _reachable(graph, US, removed=person, stop=d):
                weak.add(person)

    threads = single = None
    if opportunity_contacts is not None:
        threads = count_threads(network, opportunity_contacts, knowers)
        single = threads <= 1
    return Analysis(decision_makers, covered, uncovered, bus_factor, routes, sorted(weak, key=_sort_key), threads, single,
                    {d: sorted(knowers[d], key=_sort_key) for d in covered},
                    introductions(network, uncovered, graph))


def count_threads(network: Network, opportunity_contacts: Iterable[Id], knowers: Mapping | None = None) -> int:
    """How many of the opportunity's contacts at least one of our people knows with strength >= min_strength."""
    knowers = network.knowers() if knowers is None else knowers
    return sum(1 for c in dict.fromkeys(opportunity_contacts) if knowers.get(c))


def introductions(network: Network, uncovered: Iterable[Id], graph: dict | None = None) -> list[Introduction]:
    """For each uncovered decision maker with a route: the shortest one (our person, contacts in between)."""
    if graph is None:
        graph = network.adjacency()
        graph[US] = set(network.our_people)
        for ours in network.our_people:
            graph[ours].add(US)
    found = []
    for d in uncovered:
        path = _shortest_path(graph, US, d)
        if path is not None:
            found.append(Introduction(d, path[1], tuple(path[2:-1])))
    return found


def _sort_key(value: object) -> tuple:
    """Ids of one kind in their natural order; numbers before texts when a network mixes both."""
    return (0, value, "") if isinstance(value, int) and not isinstance(value, bool) else (1, 0, str(value))


def _first_duplicate(values: Sequence) -> object:
    seen = set()
    for v in values:
        if v in seen:
            return v
        seen.add(v)
    return None


def _reachable(graph: Mapping[Id, set], start: Id, removed: Id = None, stop: Id = None) -> set:
    seen = {start}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt in graph[node]:
            if nxt not in seen and nxt != removed:
                if nxt == stop:
                    seen.add(nxt)
                    return seen
                seen.add(nxt)
                queue.append(nxt)
    return seen


def _shortest_path(graph: Mapping[Id, set], source: Id, target: Id) -> list | None:
    previous = {source: None}
    queue = deque([source])
    while queue:
        node = queue.popleft()
        if node == target:
            path = [node]
            while previous[path[-1]] is not None:
                path.append(previous[path[-1]])
            return path[::-1]
        for nxt in sorted(graph[node], key=_sort_key):
            if nxt not in previous:
                previous[nxt] = node
                queue.append(nxt)
    return None


def disjoint_paths(graph: Mapping[Id, set], source: Id, target: Id) -> tuple[int, list]:
    """The largest number of paths from `source` to `target` sharing no node but those two, and one path.

    Unit-capacity max-flow on the node-split graph (every other node may carry one path), augmenting along
    shortest paths. `graph` is an undirected adjacency mapping. The path returned is one of a maximal set.
    """
    if source == target:
        raise ValueError("source and target must differ")
    # An edge carries flow u -> v when (u, v) is in `flow`; `through` maps each node a path uses to the
    # node before it, which keeps every node to one path.
    flow: set[tuple] = set()
    through: dict[Id, tuple] = {}
    count = 0
    # No more paths than edges at either end: stop there instead of searching once more in vain.
    limit = min(len(graph[source]), len(graph[target]))
    while count < limit:
        path = _augmenting_path(graph, source, target, flow, through)
        if path is None:
            break
        count += 1
        for u, v in zip(path, path[1:]):
            if (v, u) in flow:
                flow.discard((v, u))
            else:
                flow.add((u, v))
        through = _through(flow, source, target)
    first = _one_path(flow, source, target) if count else []
    return count, first


def _through(flow: set[tuple], source: Id, target: Id) -> dict:
    """Used node -> the node its path comes from (the target may be entered by many paths)."""
    return {v: u for u, v in flow if v != target}


def _augmenting_path(graph, source, target, flow, through) -> list | None:
    """A shortest path in the residual graph of the node-split network, as the sequence of nodes.

    States are (node, 0) for a node's "in" half and (node, 1) for its "out" half. Residual moves: from an
    out half along every edge not carrying flow into the neighbour's in half, and back into its own in half
    when the node is used; from an in half to its out half when the node is unused, else back along the
    flow that enters it to the predecessor's out half.
    """
    start = (source, 1)
    previous = {start: None}
    queue = deque([start])
    while queue:
        state = queue.popleft()
        node, side = state
        if side == 0:
            moves = [(through[node], 1)] if node in through else [(node, 1)]
        else:
            moves = [(nxt, 0) for nxt in graph[node] if nxt != source and (node, nxt) not in flow]
            if node in through:
                moves.append((node, 0))
        for move in moves:
            if move in previous:
                continue
            previous[move] = state
            if move == (target, 0):
                return _trace(previous, move)
            queue.append(move)
    return None


def _trace(previous: dict, end: tuple) -> list:
    states = [end]
    while previous[states[-1]] is not None:
        states.append(previous[states[-1]])
    states.reverse()
    nodes = []
    for node, _side in states:
        if not nodes or nodes[-1] != node:
            nodes.append(node)
    return nodes


def _one_path(flow: set[tuple], source: Id, target: Id) -> list:
    nxt = {}
    for u, v in flow:
        if u != source:
            nxt[u] = v
    starts = sorted((v for u, v in flow if u == source), key=_sort_key)
    path = [source, starts[0]]
    while path[-1] != target:
        path.append(nxt[path[-1]])
    return path


@dataclass(frozen=True)
class StrengthWeighting:
    """How interactions make a `knows` strength: each interaction in the window counts 0.5 ** (age / half
    life); the strength is 1 − e^(−total / saturation), so `saturation` recent contacts give about 0.63."""

    window_days: int = 365
    half_life_days: float = 90.0
    saturation: float = 3.0

    def __post_init__(self):
        if isinstance(self.window_days, bool) or not isinstance(self.window_days, int) or self.window_days < 1:
            raise NetworkError("weighting", "{field} must be a whole number of days >= 1, not {value}",
                               field="window_days", value=self.window_days)
        for name in ("half_life_days", "saturation"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
                    or value <= 0:
                raise NetworkError("weighting", "{field} must be a number > 0, not {value}", field=name, value=value)


def strength_from_interactions(days: Iterable[date], today: date,
                               weighting: StrengthWeighting = StrengthWeighting()) -> float:
    """The strength 0–1 of an acquaintance from the dates of its interactions (recency and frequency).

    Interactions in the future count as today's; those older than the window count nothing.
    """
    total = 0.0
    for day in days:
        age = max(0, (today - day).days)
        if age <= weighting.window_days:
            total += 0.5 ** (age / weighting.half_life_days)
    return round(1 - math.exp(-total / weighting.saturation), 4)
