"""The import rules that keep the package tree readable: one way, no cycles, one seam each.

The tree's order (see the README's "Where things live") is the direction imports may
take: a module imports only from packages listed before its own. Seams to libraries
have one owner each: only ``net`` talks HTTP, only ``cli`` parses a command line.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "storyboard"

#: The rooms of the house, lowest first: a room may import from rooms before it.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors", "urls", "loose", "untrusted_text", "fsio", "clock"),
    ("i18n", "language_guess"),
    ("model",),
    ("storyfile",),
    ("workspace", "snapshots", "snapshot_entries"),
    ("providers",),
    ("extract",),
    ("net",),
    ("networks",),
    ("fetch",),
    ("render",),
    ("importers",),
    ("collect",),
    ("commands",),
    ("preview", "editor"),
    ("cli", "__main__"),
)
RANK = {room: rank for rank, rooms in enumerate(LAYERS) for room in rooms}

#: Packages that only one room may import (argparse: one command line, in cli).
SEAMS = {"requests": {"net"}, "urllib3": {"net"}, "argparse": {"cli"}, "filelock": {"fsio"}}

#: Rooms that must never reach the network, not even through another room.
OFFLINE_ROOMS = ("model", "extract", "render", "storyfile")
NETWORK_ROOMS = ("net", "networks", "fetch")


def module_name(path: Path, root: Path = SRC.parent) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def room_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def imported_modules(path: Path, root: Path = SRC.parent) -> Iterator[str]:
    """Yield every module ``path`` imports, at the top or inside a function."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                stem = ".".join([*base, node.module] if node.module else base)
            else:
                stem = node.module or ""
            yield stem
            for alias in node.names:  # ``from storyboard.x import y`` may name module y
                yield f"{stem}.{alias.name}"


def own_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(SRC.rglob("*.py"))}


def internal_graph() -> dict[str, set[str]]:
    modules = own_modules()
    return {
        name: {target for target in imported_modules(path) if target in modules and target != name}
        for name, path in modules.items()
    }


def test_every_room_has_a_rank() -> None:
    rooms = {room_of(name) for name in own_modules()} - {""}
    assert sorted(rooms - RANK.keys()) == []


def test_imports_point_down_the_tree() -> None:
    upward = [
        f"{source} imports {target}"
        for source, targets in internal_graph().items()
        for target in targets
        if room_of(source)
        and room_of(target)
        and room_of(target) != room_of(source)
        and RANK[room_of(target)] > RANK[room_of(source)]
    ]
    assert upward == []


def test_no_import_cycles() -> None:
    graph = internal_graph()
    # A package's __init__ re-exporting its own modules is not a cycle between rooms.
    for name in graph:
        graph[name] = {t for t in graph[name] if not t.startswith(name + ".")}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycles.append([*stack[stack.index(target) :], target])
            elif target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert cycles == []


@pytest.mark.parametrize(("package", "owners"), sorted(SEAMS.items()))
def test_third_party_seam_has_one_owner(package: str, owners: set[str]) -> None:
    users = sorted(
        name
        for name, path in own_modules().items()
        if room_of(name) not in owners
        and any(t == package or t.startswith(package + ".") for t in imported_modules(path))
    )
    assert users == []


@pytest.mark.parametrize("room", OFFLINE_ROOMS)
def test_offline_rooms_never_reach_the_network(room: str) -> None:
    graph = internal_graph()
    reached: set[str] = set()
    todo = [name for name in graph if room_of(name) == room]
    while todo:
        name = todo.pop()
        for target in graph[name]:
            if target not in reached:
                reached.add(target)
                todo.append(target)
    assert sorted(t for t in reached if room_of(t) in NETWORK_ROOMS) == []


def test_the_rule_checker_sees_a_violation(tmp_path: Path) -> None:
    """The scan really reads imports: a planted upward import is found."""
    planted = tmp_path / "storyboard" / "model" / "bad.py"
    planted.parent.mkdir(parents=True)
    planted.write_text(
        "from storyboard.net import client\nimport requests\nfrom . import story\n",
        encoding="utf-8",
    )
    found = set(imported_modules(planted, root=tmp_path))
    expected = {"storyboard.net", "storyboard.net.client", "requests", "storyboard.model.story"}
    assert expected <= found
