"""The shape of the source: no file too long to read, no import cycle between modules, apps in layers,
every app with the same skeleton, no module reaching into another's private names.

All are read from the source text, without importing anything: a file over `MAX_LINES` lines is a
module that holds more than one thing, and a cycle between modules means neither can be understood,
changed or loaded without the other. Shared bits go down into the lower module; a package's
``__init__`` may re-export its own modules. The top-level packages (the apps) form layers, see
`test_apps_form_layers`, and each has the same parts, see `test_every_app_has_the_same_skeleton`. A
name that starts with an underscore belongs to its module: what another module needs is public
(with a docstring saying what it is) or lives where it is used.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = SRC / "kundennetz"
MAX_LINES = 800


def _sources() -> list[Path]:
    return sorted(path for path in PACKAGE.rglob("*.py") if "migrations" not in path.parts)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.Module):
    """Every import of a module, those inside functions too (a cycle hidden in a function is still a
    cycle: neither module can be read or changed without the other), but not those under
    ``if TYPE_CHECKING:``, which never run."""
    pending = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If) and _is_type_checking(node):
            pending.extend(node.orelse)
        else:
            pending.extend(ast.iter_child_nodes(node))


def _resolve(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def import_graph() -> nx.DiGraph:
    """Module → module for every import of our own package.
    ``from package import name`` points at the submodule when ``name`` is one, else at the package."""
    paths = {_module_name(path): path for path in _sources()}
    graph = nx.DiGraph()
    graph.add_nodes_from(paths)
    for module, path in paths.items():
        is_package = path.name == "__init__.py"
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                target = _resolve(node, module, is_package)
                targets = [f"{target}.{alias.name}" if f"{target}.{alias.name}" in paths else target
                           for alias in node.names]
            for target in targets:
                while target and target not in paths:  # `import a.b.c` of a name inside a module
                    target = target.rpartition(".")[0]
                if target in paths and target != module:
                    graph.add_edge(module, target)
    return graph


def test_no_source_file_is_longer_than_the_limit():
    too_long = {
        str(path.relative_to(SRC)): count
        for path in _sources()
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}, f"split these into modules that each hold one thing (limit {MAX_LINES} lines)"


def test_the_import_graph_sees_relative_package_and_function_imports():
    graph = import_graph()
    # an import inside a function counts like any other
    assert graph.has_edge("kundennetz.planning.templatetags.planning_tags", "kundennetz.planning.figures")
    # `from . import fields, layouts` in a package module, and `from .model import ...` inside a package
    assert graph.has_edge("kundennetz.imports.engine.importer", "kundennetz.imports.fields")
    assert graph.has_edge("kundennetz.domain.consistency.score", "kundennetz.domain.consistency.model")
    # a package's __init__ importing its own modules
    assert graph.has_edge("kundennetz.domain.consistency", "kundennetz.domain.consistency.model")


def test_no_import_cycle_between_modules():
    cycles = sorted(sorted(cycle) for cycle in nx.simple_cycles(import_graph()))
    assert cycles == [], "modules that import each other (directly or round about): " + "; ".join(
        " -> ".join(cycle) for cycle in cycles[:20])


# Lowest first. A package imports only packages of lower layers, never one of its own layer or above.
LAYERS: list[set[str]] = [
    {"kundennetz", "domain", "settings", "formats"},
    {"core"},
    {"accounts"},
    {"qualification"},
    {"winloss", "portfolio"},
    {"planning"},
    {"interactions"},
    {"imports"},
    {"network"},
    {"sample"},
    {"api"},
    {"urls", "wsgi", "__main__"},
]
RANK = {package: level for level, layer in enumerate(LAYERS) for package in layer}


def _package(module: str) -> str:
    """``kundennetz.planning.services.data`` -> ``planning``; the package's own ``__init__`` -> ``kundennetz``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def package_edges() -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(importing package, imported package) -> the module edges behind it, for every import that crosses
    from one top-level package into another."""
    edges: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for module, target in import_graph().edges:
        source_package, target_package = _package(module), _package(target)
        if source_package != target_package:
            edges.setdefault((source_package, target_package), []).append((module, target))
    return edges


def test_apps_form_layers():
    """The apps form a strict layering; each layer imports only those below it (lowest first):

        domain, settings, formats (and the package's own __init__): plain Python and settings, no app
      < core: users and roles, restrict(), history, tunables, formatting, jobs, the layout
      < accounts: accounts, contacts, competitors, opportunities, stages; the home page
      < qualification: checklists and pursuit decisions. The apps above add what they know to a
        checklist through ``qualification.extensions`` (win panel, rescoring, the Authority suggestion)
      < winloss (learns from checklists), portfolio (scores accounts): beside each other
      < planning: reads the portfolio's strategies (``planning.apps`` listens to ``portfolio.signals``);
        the planned figure's template tags are planning's (``{% load planned %}``)
      < interactions: consistency and My week measure against the strategies and the plan; hands the
        portfolio's strategy names to the account list's filter (``accounts.filters.offer_strategy_names``)
      < imports: imports records of accounts, qualification and winloss
      < network: derives strengths from interactions, shows the portfolio's value propositions, analyses
        again the accounts an import batch touched, and suggests the checklist's Authority answer
      < sample: the demo and generated networks write records of every app (``kundennetz demo``,
        ``generate``, ``logins``)
      < api: wires the apps' routers
      < urls, wsgi, __main__: the URL map, the server entry, the console script

    An app lower down that needs something of a higher one gets it handed over (a signal, a registry
    filled in the higher app's ``AppConfig.ready``) or the shared bit moves down.
    """
    edges = package_edges()
    packages = {_package(module) for module in import_graph()}
    assert packages <= set(RANK), f"give these packages their layer in LAYERS: {sorted(packages - set(RANK))}"
    upward = upward_imports(edges)
    assert upward == [], "imports of a package from its own layer or above: " + "; ".join(
        f"{source} -> {target}" for source, target in upward)
    graph = nx.DiGraph(list(edges))
    assert nx.is_directed_acyclic_graph(graph), f"packages that import each other: {list(nx.simple_cycles(graph))}"


def upward_imports(edges: dict[tuple[str, str], list[tuple[str, str]]]) -> list[tuple[str, str]]:
    """The module edges of ``edges`` that go into a package of the same layer or a higher one."""
    return sorted(module_edge for (source, target), modules in edges.items() if RANK[source] <= RANK[target]
                  for module_edge in modules)


def test_the_layer_check_reports_imports_upwards_and_sideways():
    found = upward_imports({
        ("planning", "portfolio"): [("kundennetz.planning.stored", "kundennetz.portfolio.models")],
        ("core", "accounts"): [("kundennetz.core.views", "kundennetz.accounts.models")],
        ("winloss", "portfolio"): [("kundennetz.winloss.services", "kundennetz.portfolio.models")],
    })
    assert found == [("kundennetz.core.views", "kundennetz.accounts.models"),
                     ("kundennetz.winloss.services", "kundennetz.portfolio.models")]
    # and the real graph has edges across layers for the check to look at
    assert ("planning", "portfolio") in package_edges()


# Being moved into a package of their own; their private imports go when they move.
PRIVATE_IMPORTS_SKIPPED = ("kundennetz.core.demo", "kundennetz.sample")


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__") and name != "_"


def _dotted(node: ast.AST) -> list[str] | None:
    """``a.b.c`` as ["a", "b", "c"]; None for anything but names and attributes."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    return [node.id, *reversed(parts)] if isinstance(node, ast.Name) else None


def private_imports(sources: dict[str, Path] | None = None) -> list[str]:
    """Every use of another module's underscore name: ``from kundennetz.x import _y`` (inside functions
    too), and ``x._y`` where ``x`` is one of our modules imported by name."""
    paths = sources or {_module_name(path): path for path in _sources()}
    found = []
    for module, path in paths.items():
        if module.startswith(PRIVATE_IMPORTS_SKIPPED):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        is_package = path.name == "__init__.py"
        modules: dict[str, str] = {}  # local name -> our module it stands for
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == "kundennetz":
                        local = alias.asname or alias.name.split(".")[0]
                        modules[local] = alias.name if alias.asname else "kundennetz"
                        found += [f"{module}: import {alias.name}" for part in alias.name.split(".")
                                  if _is_private(part)]
            elif isinstance(node, ast.ImportFrom):
                target = _resolve(node, module, is_package)
                if target.split(".")[0] != "kundennetz":
                    continue
                for alias in node.names:
                    if f"{target}.{alias.name}" in paths:
                        modules[alias.asname or alias.name] = f"{target}.{alias.name}"
                    if _is_private(alias.name) and target != module:
                        found.append(f"{module}: from {target} import {alias.name} (line {node.lineno})")
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and _is_private(node.attr):
                chain = _dotted(node.value)
                if chain and chain[0] in modules:
                    owner = ".".join([modules[chain[0]], *chain[1:]])
                    if owner != module and owner in paths:
                        found.append(f"{module}: {owner}.{node.attr} (line {node.lineno})")
    return sorted(set(found))


def test_no_module_uses_another_modules_private_names():
    found = private_imports()
    assert found == [], "make the name public (with a docstring) or move it where it is used:\n" + "\n".join(found)


def test_the_private_import_finder_finds_imports_and_attribute_uses(tmp_path):
    package = tmp_path / "kundennetz"
    (package / "app").mkdir(parents=True)
    files = {
        "kundennetz/app/__init__.py": "from .helpers import _shared\n",
        "kundennetz/app/helpers.py": "from dataclasses import replace as _replace\n_shared = 1\n"
                                     "def _own():\n    return _shared\n",
        "kundennetz/app/views.py": "from kundennetz.app import helpers\nimport kundennetz.app.helpers as h\n"
                                   "def view():\n    from .helpers import _own\n"
                                   "    return helpers._shared, h._own, helpers.public, _own\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    sources = {".".join(Path(name).with_suffix("").parts).removesuffix(".__init__"): tmp_path / name
               for name in files}
    assert sorted(private_imports(sources)) == [
        "kundennetz.app.views: from kundennetz.app.helpers import _own (line 4)",
        "kundennetz.app.views: kundennetz.app.helpers._own (line 5)",
        "kundennetz.app.views: kundennetz.app.helpers._shared (line 5)",
        "kundennetz.app: from kundennetz.app.helpers import _shared (line 1)",
    ]


# Every app of the network has these parts, so that a newcomer finds each thing in the same place:
# models; services, one function per use case that writes; permissions, the app's rules of who may do
# what (``may_…`` functions built on ``core.permissions`` and the capability table); the API router; the
# views; the admin; and the templates in ``templates/<app>/``. Each is a module or a package, except the
# admin (a module). ``core`` and ``sample`` are infrastructure, not apps of the network.
SKELETON = ("models", "services", "permissions", "api", "views", "admin")
MODULE_ONLY = {"admin"}
INFRASTRUCTURE = {"core", "sample"}


def network_apps(root: Path = PACKAGE) -> list[str]:
    """The Django apps below `root` (a folder with an ``apps.py``), infrastructure left out."""
    return sorted(path.parent.name for path in root.glob("*/apps.py") if path.parent.name not in INFRASTRUCTURE)


def _starts_with_docstring(path: Path) -> bool:
    body = ast.parse(path.read_text(encoding="utf-8")).body
    return bool(body) and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
        and isinstance(body[0].value.value, str)


def skeleton_gaps(root: Path, apps: list[str]) -> list[str]:
    """What the apps below `root` lack of the skeleton: a missing part, a part's module (every module of
    a package) that does not start with its docstring, a missing or empty ``templates/<app>/``."""
    gaps = []
    for app in apps:
        for part in SKELETON:
            module, package = root / app / f"{part}.py", root / app / part / "__init__.py"
            if module.is_file():
                files = [module]
            elif package.is_file() and part not in MODULE_ONLY:
                files = sorted(package.parent.rglob("*.py"))
            else:
                gaps.append(f"{app}: no {part} module" + ("" if part in MODULE_ONLY else " or package"))
                continue
            gaps.extend(f"{path.relative_to(root)}: does not start with a docstring"
                        for path in files if not _starts_with_docstring(path))
        templates = root / app / "templates" / app
        if not templates.is_dir() or not any(path.is_file() for path in templates.rglob("*")):
            gaps.append(f"{app}: no templates/{app}/ folder with templates")
    return gaps


def test_every_app_has_the_same_skeleton():
    apps = network_apps()
    assert {"accounts", "qualification", "winloss", "portfolio", "planning", "interactions", "network",
            "imports"} <= set(apps)
    assert skeleton_gaps(PACKAGE, apps) == []


def test_the_skeleton_check_reports_what_an_app_lacks(tmp_path):
    app = tmp_path / "shop"
    (app / "api").mkdir(parents=True)
    (app / "templates" / "shop").mkdir(parents=True)
    (app / "apps.py").write_text('"""The app."""\n')
    for part in ("models", "services", "views"):
        (app / f"{part}.py").write_text(f'"""The {part}."""\n')
    (app / "api" / "__init__.py").write_text('"""The API."""\n')
    (app / "api" / "orders.py").write_text("from . import x\n")
    (app / "admin").mkdir()
    (app / "admin" / "__init__.py").write_text('"""The admin."""\n')
    (tmp_path / "core").mkdir()
    (tmp_path / "core" / "apps.py").write_text('"""Infrastructure."""\n')

    assert network_apps(tmp_path) == ["shop"]
    assert skeleton_gaps(tmp_path, ["shop"]) == [
        "shop: no permissions module or package",
        "shop/api/orders.py: does not start with a docstring",
        "shop: no admin module",
        "shop: no templates/shop/ folder with templates",
    ]
    (app / "permissions.py").write_text('"""Who may."""\n')
    (app / "api" / "orders.py").write_text('"""Orders."""\n')
    (app / "admin" / "__init__.py").unlink()
    (app / "admin").rmdir()
    (app / "admin.py").write_text('"""The admin."""\n')
    (app / "templates" / "shop" / "list.html").write_text("<ul></ul>\n")
    assert skeleton_gaps(tmp_path, ["shop"]) == []
