"""The house's rules, checked on every run: layers point down, no import circles, files stay small.

- nothing below api/ imports api/; services/, db/ and matching/ never import schema/;
  db/ and matching/ never import services/; matching/ imports nothing of ours but itself;
- no import circle between files (imports inside functions count);
- no source file over 500 lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

from config import ROOT

PACKAGES = ("api", "schema", "services", "db", "matching")
TOP = ("config", "bootstrap")
MAX_LINES = 500
# package → packages (of ours) it must not import
FORBIDDEN = {
    "schema": {"api"},
    "services": {"api", "schema", "bootstrap"},
    "db": {"api", "schema", "services", "matching", "bootstrap"},
    "matching": {"api", "schema", "services", "db", "bootstrap", "config"},
    "config": {"api", "schema", "services", "db", "matching", "bootstrap"},
}


def modules() -> dict[str, Path]:
    found = {name: ROOT / f"{name}.py" for name in TOP}
    for pkg in PACKAGES:
        for path in (ROOT / pkg).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """Our modules that `name` imports, anywhere in the file."""
    out = set()
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text())):
        targets = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package[: len(package) - node.level + 1], *([base] if base else [])])
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                out.add(target)
    return out


def test_layers_point_down():
    known = modules()
    wrong = [
        f"{name} imports {target}"
        for name, path in known.items()
        for target in imports(name, path, known)
        if target.split(".")[0] in FORBIDDEN.get(name.split(".")[0], set())
    ]
    assert wrong == []


def test_no_import_circles():
    known = modules()
    graph = {name: imports(name, path, known) for name, path in known.items()}
    circles, state = [], dict.fromkeys(graph, 0)  # 0 new, 1 on the path, 2 done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state[nxt] == 1:
                circles.append(" -> ".join([*path[path.index(nxt) :], nxt]))
            elif state[nxt] == 0:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for node in sorted(graph):
        if state[node] == 0:
            visit(node, [node])
    assert circles == []


def test_files_stay_small():
    big = [f"{p.relative_to(ROOT)}: {n}" for p in modules().values() if (n := p.read_text().count("\n")) > MAX_LINES]
    assert big == []
