"""Every code a client can receive is a member of ErrorCode, and docs/errors.md lists exactly those."""

from __future__ import annotations

import ast

from api.cli import ERRORS_FILE, errors_markdown
from config import ROOT
from services.errors import ErrorCode

SOURCES = ("api", "schema", "services", "db")


def test_docs_list_every_code():
    assert ERRORS_FILE.read_text() == errors_markdown(), "docs/errors.md drifted from ErrorCode: run `make schema`"
    assert all(code.when for code in ErrorCode)


def _literal_codes() -> list[str]:
    """String literals given where a code goes: DomainError(...)/Problem(...) first argument, or `code=`."""
    found = []
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                candidates = [kw.value for kw in node.keywords if kw.arg == "code"]
                if name in ("DomainError", "Problem", "add") and node.args:
                    candidates.append(node.args[0])
                found += [
                    f"{path.relative_to(ROOT)}:{c.lineno} {c.value!r}"
                    for c in candidates
                    if isinstance(c, ast.Constant) and isinstance(c.value, str)
                ]
    return found


def test_no_code_is_a_bare_string():
    """A code must come from ErrorCode (mypy checks the types; this catches what it cannot see)."""
    assert _literal_codes() == []


def test_a_code_outside_the_enumeration_is_refused():
    from services.errors import DomainError

    try:
        DomainError("MADE_UP", "x")  # type: ignore[arg-type]
    except TypeError:
        return
    raise AssertionError("DomainError accepted a code that is not an ErrorCode")
