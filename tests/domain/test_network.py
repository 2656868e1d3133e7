"""The network measures: hand-made cases at their edges, and their definitions checked with hypothesis
against brute force and networkx."""

import itertools
from datetime import date, timedelta

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from networkx.algorithms.connectivity import local_node_connectivity

from kundennetz.domain.network import (
    DECISION_MAKER,
    KNOWS,
    ROLES,
    Introduction,
    Network,
    NetworkError,
    Relation,
    StrengthWeighting,
    analyse,
    check_relation,
    disjoint_paths,
    strength_from_interactions,
)

DM = DECISION_MAKER


def knows(a, b, strength):
    return Relation(a, b, "knows", strength)


def reports(a, b):
    return Relation(a, b, "reports_to")


def influences(a, b):
    return Relation(a, b, "influences")


def test_the_example_of_the_command_line_contract():
    network = Network.build(["anna", "ben"], {"c1": DM, "c2": "coach"},
                            [knows("anna", "c2", 0.8), reports("c2", "c1")])
    result = analyse(network, ["c1", "c2"])
    assert result.to_dict() == {
        "decision_makers": ["c1"], "covered": [], "uncovered": ["c1"], "bus_factor": 0, "routes": {"c1": 1},
        "weak_points": ["anna", "c2"], "threads": 1, "single_threaded": True}
    assert result.introductions == [Introduction("c1", "anna", ("c2",))]


def test_no_decision_maker_gives_no_bus_factor_and_no_routes():
    result = analyse(Network.build(["anna"], {"c1": "user"}, [knows("anna", "c1", 1)]))
    assert result.to_dict() == {"decision_makers": [], "covered": [], "uncovered": [], "bus_factor": None,
                                "routes": {}, "weak_points": []}
    assert result.threads is None and result.single_threaded is None


def test_a_strength_equal_to_the_minimum_counts_and_just_below_does_not():
    network = Network.build(["anna"], {"c1": DM}, [knows("anna", "c1", 0.5)])
    assert analyse(network).covered == ["c1"]
    network = Network.build(["anna"], {"c1": DM}, [knows("anna", "c1", 0.49)])
    result = analyse(network)
    assert (result.covered, result.uncovered, result.routes, result.bus_factor) == ([], ["c1"], {"c1": 0}, 0)
    assert analyse(Network.build(["anna"], {"c1": DM}, [knows("anna", "c1", 0.49)], min_strength=0.4)).covered \
        == ["c1"]


def test_of_parallel_relations_the_strongest_counts_in_either_order():
    network = Network.build(["anna"], {"c1": DM}, [knows("anna", "c1", 0.9), knows("c1", "anna", 0.1)])
    assert analyse(network).covered == ["c1"]
    assert network.strongest_knows() == {("anna", "c1"): 0.9}


def test_bus_factor_counts_the_fewest_acquaintances_of_any_decision_maker():
    network = Network.build(["anna", "ben", "cleo"], {"d1": DM, "d2": DM}, [
        knows("anna", "d1", 1), knows("ben", "d1", 1), knows("cleo", "d1", 1),
        knows("anna", "d2", 1), knows("ben", "d2", 0.7)])
    result = analyse(network)
    assert (result.bus_factor, result.routes, result.weak_points) == (2, {"d1": 3, "d2": 2}, [])
    assert result.knowers == {"d1": ["anna", "ben", "cleo"], "d2": ["anna", "ben"]}


def test_routes_share_no_person_but_the_decision_maker():
    # anna and ben both reach the decision maker only through the same coach: one route, the coach weak.
    network = Network.build(["anna", "ben"], {"d": DM, "coach": "coach", "x": "user"}, [
        knows("anna", "coach", 1), knows("ben", "coach", 1), reports("coach", "d"), influences("x", "d")])
    result = analyse(network)
    assert result.routes == {"d": 1} and result.weak_points == ["coach"]
    # a second, separate way in makes two routes and no weak point
    result = analyse(network.plus(knows("ben", "x", 0.6)))
    assert result.routes == {"d": 2} and result.weak_points == []


def test_direction_of_reports_to_and_influences_does_not_matter():
    one = analyse(Network.build(["o"], {"d": DM, "c": "user"}, [knows("o", "c", 1), reports("d", "c")]))
    other = analyse(Network.build(["o"], {"d": DM, "c": "user"}, [knows("o", "c", 1), influences("c", "d")]))
    assert one.routes == other.routes == {"d": 1}


def test_a_decision_maker_can_be_the_weak_point_of_another():
    network = Network.build(["o"], {"ceo": DM, "cfo": DM}, [knows("o", "ceo", 1), reports("cfo", "ceo")])
    result = analyse(network)
    assert result.routes == {"ceo": 1, "cfo": 1}
    assert result.weak_points == ["ceo", "o"]  # the ceo cuts off the cfo; "o" cuts off both


def test_a_decision_maker_without_any_route_makes_no_weak_point():
    network = Network.build(["o"], {"d": DM, "c": "user"}, [knows("o", "c", 1)])
    result = analyse(network)
    assert (result.routes, result.weak_points, result.introductions) == ({"d": 0}, [], [])


def test_a_weak_knows_is_no_route_at_all():
    network = Network.build(["o"], {"d": DM, "c": "user"}, [knows("o", "c", 0.2), reports("c", "d")])
    assert analyse(network).routes == {"d": 0}


def test_threads_count_distinct_known_contacts_of_the_opportunity():
    network = Network.build(["o", "p"], {"a": "user", "b": "coach", "c": DM},
                            [knows("o", "a", 1), knows("p", "a", 1), knows("o", "b", 0.3)])
    assert (analyse(network, []).threads, analyse(network, []).single_threaded) == (0, True)
    assert (analyse(network, ["a", "b", "c"]).threads, analyse(network, ["a", "b"]).single_threaded) == (1, True)
    network = network.plus(knows("p", "c", 0.5))
    result = analyse(network, ["a", "b", "c"])
    assert (result.threads, result.single_threaded) == (2, False)
    assert result.to_dict()["threads"] == 2 and result.to_dict()["single_threaded"] is False


@pytest.mark.parametrize("ours, contacts, relations, code", [
    (["a", "a"], {}, [], "duplicate_id"),
    (["a"], {"a": DM}, [], "ours_and_theirs"),
    (["a"], {"c": "boss"}, [], "unknown_role"),
    (["a"], {"c": DM}, [knows("a", "zz", 1)], "undeclared_id"),
    (["a"], {"c": DM}, [Relation("a", "c", "likes", 1)], "unknown_kind"),
    (["a"], {"c": DM, "d": DM}, [knows("c", "d", 1)], "knows_sides"),
    (["a", "b"], {"c": DM}, [knows("a", "b", 1)], "knows_sides"),
    (["a"], {"c": DM}, [Relation("a", "c", "knows")], "strength_missing"),
    (["a"], {"c": DM}, [knows("a", "c", 1.01)], "strength_range"),
    (["a"], {"c": DM}, [knows("a", "c", -0.1)], "strength_range"),
    (["a"], {"c": DM}, [knows("a", "c", float("nan"))], "strength_range"),
    (["a"], {"c": DM}, [knows("a", "c", True)], "strength_range"),
    (["a"], {"c": DM}, [reports("a", "c")], "contacts_only"),
    (["a"], {"c": DM}, [influences("c", "a")], "contacts_only"),
    (["a"], {"c": DM}, [reports("c", "c")], "self_relation"),
])
def test_broken_networks_are_refused_with_the_rule_they_break(ours, contacts, relations, code):
    with pytest.raises(NetworkError) as info:
        Network.build(ours, contacts, relations)
    assert info.value.code == code


@pytest.mark.parametrize("value", [-0.01, 1.5, None, "0.5"])
def test_min_strength_must_be_between_0_and_1(value):
    with pytest.raises(NetworkError, match="min_strength"):
        Network.build(["a"], {}, [], min_strength=value)


def test_check_relation_returns_the_strength_only_for_knows():
    assert check_relation(KNOWS, True, False, 1) == 1.0
    assert check_relation(KNOWS, False, True, 0) == 0.0
    assert check_relation("reports_to", False, False) is None


def test_disjoint_paths_refuses_a_source_equal_to_the_target():
    with pytest.raises(ValueError):
        disjoint_paths({1: set()}, 1, 1)


# --- strength from interactions -------------------------------------------------------------------------

TODAY = date(2026, 6, 30)


def test_no_interaction_is_no_strength_and_recent_ones_approach_one():
    assert strength_from_interactions([], TODAY) == 0
    assert strength_from_interactions([TODAY] * 3, TODAY) == pytest.approx(1 - 2.718281828 ** -1, abs=1e-4)
    assert 0.99 < strength_from_interactions([TODAY] * 20, TODAY) < 1


def test_an_interaction_half_a_life_ago_counts_half():
    weighting = StrengthWeighting(window_days=365, half_life_days=30, saturation=1)
    assert strength_from_interactions([TODAY - timedelta(days=30)], TODAY, weighting) \
        == strength_from_interactions([TODAY, TODAY - timedelta(days=400)], TODAY,
                                      StrengthWeighting(365, 30, 2))


def test_interactions_outside_the_window_count_nothing_and_future_ones_count_as_today():
    weighting = StrengthWeighting(window_days=10)
    assert strength_from_interactions([TODAY - timedelta(days=11)], TODAY, weighting) == 0
    assert strength_from_interactions([TODAY - timedelta(days=10)], TODAY, weighting) > 0
    assert strength_from_interactions([TODAY + timedelta(days=5)], TODAY) == strength_from_interactions([TODAY], TODAY)


@pytest.mark.parametrize("kwargs", [{"window_days": 0}, {"window_days": 1.5}, {"half_life_days": 0},
                                    {"saturation": -1}, {"saturation": float("inf")}, {"window_days": True}])
def test_a_meaningless_weighting_is_refused(kwargs):
    with pytest.raises(NetworkError):
        StrengthWeighting(**kwargs)


@settings(deadline=None)
@given(st.lists(st.integers(0, 800), max_size=12), st.integers(0, 800))
def test_another_interaction_never_lowers_the_strength(ages, extra):
    days = [TODAY - timedelta(days=a) for a in ages]
    before = strength_from_interactions(days, TODAY)
    after = strength_from_interactions([*days, TODAY - timedelta(days=extra)], TODAY)
    assert 0 <= before <= after < 1


# --- properties ----------------------------------------------------------------------------------------

@st.composite
def networks(draw, max_ours=4, max_contacts=7):
    ours = [f"o{i}" for i in range(draw(st.integers(0, max_ours)))]
    contacts = {f"c{i}": draw(st.sampled_from([*ROLES, DM, None]))
                for i in range(draw(st.integers(0, max_contacts)))}
    relations = []
    strengths = st.sampled_from([0.0, 0.2, 0.5, 0.7, 1.0])
    if ours and contacts:
        for _ in range(draw(st.integers(0, 10))):
            a, c = draw(st.sampled_from(ours)), draw(st.sampled_from(sorted(contacts)))
            relations.append(knows(*((a, c) if draw(st.booleans()) else (c, a)), draw(strengths)))
    if len(contacts) >= 2:
        for _ in range(draw(st.integers(0, 8))):
            a, b = draw(st.lists(st.sampled_from(sorted(contacts)), min_size=2, max_size=2, unique=True))
            relations.append(Relation(a, b, draw(st.sampled_from(["reports_to", "influences"]))))
    return Network.build(ours, contacts, relations, min_strength=draw(st.sampled_from([0.0, 0.5, 0.6, 1.0])))


def oracle_graph(network: Network) -> nx.Graph:
    """The graph of the definition, built the plain way with networkx."""
    graph = nx.Graph()
    graph.add_nodes_from(["US", *network.our_people, *network.contacts])
    graph.add_edges_from(("US", o) for o in network.our_people)
    for r in network.relations:
        if r.kind != KNOWS or r.strength >= network.min_strength:
            graph.add_edge(r.a, r.b)
    return graph


def oracle_routes(network: Network) -> dict:
    graph = oracle_graph(network)
    return {d: local_node_connectivity(graph, "US", d) if nx.has_path(graph, "US", d) else 0
            for d in network.decision_makers}


def covered_by(network: Network, ours: set) -> set:
    return {(r.b if r.a in ours else r.a) for r in network.relations
            if r.kind == KNOWS and r.strength >= network.min_strength and (r.a in ours or r.b in ours)}


SETTINGS = settings(max_examples=150, deadline=None)


@SETTINGS
@given(networks())
def test_routes_are_networkx_local_node_connectivity(network):
    assert analyse(network).routes == oracle_routes(network)


@SETTINGS
@given(networks())
def test_covered_and_uncovered_split_the_decision_makers(network):
    result = analyse(network)
    assert result.decision_makers == sorted(c for c, r in network.contacts.items() if r == DM)
    assert sorted(result.covered + result.uncovered) == result.decision_makers
    assert set(result.covered) == set(result.decision_makers) & covered_by(network, set(network.our_people))
    assert result.covered == sorted(result.covered) and result.uncovered == sorted(result.uncovered)


@SETTINGS
@given(networks())
def test_bus_factor_is_the_smallest_absence_that_uncovers_a_decision_maker(network):
    result = analyse(network)
    if not result.decision_makers:
        assert result.bus_factor is None
        return
    ours = sorted(network.our_people)
    for size in range(len(ours) + 1):
        if any(set(result.decision_makers) - covered_by(network, set(ours) - set(gone))
               for gone in itertools.combinations(ours, size)):
            break
    assert result.bus_factor == size


@SETTINGS
@given(networks())
def test_bus_factor_is_at_most_the_fewest_routes(network):
    result = analyse(network)
    if result.decision_makers:
        assert result.bus_factor <= min(result.routes.values())
        assert (result.bus_factor == 0) == bool(result.uncovered)


@SETTINGS
@given(networks())
def test_weak_points_are_exactly_the_people_whose_loss_cuts_off_a_decision_maker(network):
    graph = oracle_graph(network)
    expected = []
    for person in sorted([*network.our_people, *network.contacts]):
        smaller = graph.copy()
        smaller.remove_node(person)
        if any(d != person and nx.has_path(graph, "US", d) and not nx.has_path(smaller, "US", d)
               for d in network.decision_makers):
            expected.append(person)
    assert analyse(network).weak_points == expected


@SETTINGS
@given(networks(), st.data())
def test_adding_a_knows_never_lowers_coverage(network, data):
    if not network.our_people or not network.contacts:
        return
    relation = knows(data.draw(st.sampled_from(sorted(network.our_people))),
                     data.draw(st.sampled_from(sorted(network.contacts))),
                     data.draw(st.floats(0, 1)))
    before, after = analyse(network), analyse(network.plus(relation))
    assert set(before.covered) <= set(after.covered)
    assert all(after.routes[d] >= before.routes[d] for d in before.routes)
    if before.bus_factor is not None:
        assert after.bus_factor >= before.bus_factor


@SETTINGS
@given(networks(), st.floats(0, 1))
def test_a_weaker_parallel_knows_changes_nothing(network, fraction):
    strong = [r for r in network.relations if r.kind == KNOWS]
    if not strong:
        return
    weaker = Relation(strong[0].b, strong[0].a, KNOWS, strong[0].strength * fraction)
    assert analyse(network.plus(weaker)) == analyse(network)


@SETTINGS
@given(networks(), st.sampled_from([0.0, 0.3, 0.5, 0.8, 1.0]))
def test_a_higher_minimum_strength_never_raises_coverage(network, higher):
    if higher < network.min_strength:
        return
    stricter = Network(network.our_people, network.contacts, network.relations, higher)
    assert set(analyse(stricter).covered) <= set(analyse(network).covered)
    assert all(analyse(stricter).routes[d] <= n for d, n in analyse(network).routes.items())


@SETTINGS
@given(networks(), st.data())
def test_threads_and_single_threaded(network, data):
    chosen = data.draw(st.lists(st.sampled_from(sorted(network.contacts) or ["none"]), unique=True))
    chosen = [c for c in chosen if c in network.contacts]
    result = analyse(network, chosen)
    assert result.threads == len(set(chosen) & covered_by(network, set(network.our_people)))
    assert result.single_threaded == (result.threads <= 1)


@SETTINGS
@given(networks())
def test_introductions_reach_each_uncovered_decision_maker_with_a_route(network):
    result = analyse(network)
    reachable = {d for d, n in result.routes.items() if n}
    assert {i.decision_maker for i in result.introductions} == set(result.uncovered) & reachable
    graph = oracle_graph(network)
    for intro in result.introductions:
        path = ["US", intro.our_person, *intro.via, intro.decision_maker]
        assert nx.is_path(graph, path) and len(path) - 1 == nx.shortest_path_length(graph, "US", intro.decision_maker)


@settings(max_examples=200, deadline=None)
@given(st.integers(2, 10).flatmap(lambda n: st.tuples(
    st.just(n), st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n))))
def test_disjoint_paths_match_networkx_on_any_graph(case):
    size, edges = case
    graph = nx.Graph()
    graph.add_nodes_from(range(size))
    graph.add_edges_from((a, b) for a, b in edges if a != b)
    adjacency = {n: set(graph[n]) for n in graph}
    if graph.has_edge(0, 1):
        return  # adjacent ends: networkx's count is undefined there, and "us" is never next to a contact
    count, path = disjoint_paths(adjacency, 0, 1)
    assert count == (local_node_connectivity(graph, 0, 1) if nx.has_path(graph, 0, 1) else 0)
    if count:
        assert path[0] == 0 and path[-1] == 1 and nx.is_simple_path(graph, path)
