"""The module documents itself: pydoc text for the main classes, docstrings on every public callable,
and type stubs (odoosync/__init__.pyi) that name only what the module really has."""

from __future__ import annotations

import ast
import pathlib
import pydoc

import pytest

import odoosync

STUBS = pathlib.Path(__file__).resolve().parents[1] / "odoosync" / "__init__.pyi"

CLIENT_METHODS = ["call", "search", "search_read", "read", "search_count", "create", "write", "unlink",
                  "name_search", "read_group", "fields_get", "load", "iterate", "changes", "version", "protocol",
                  "from_env"]
ENGINE_METHODS = ["submit", "submit_many", "run_until_idle", "start", "stop", "status", "dead_letters", "get",
                  "replay", "discard", "audit", "metrics", "prometheus"]
FUNCTIONS = ["field", "make_event", "event_types", "reconcile_stock", "correcting_events", "channel_client"]
PUSHER_METHODS = ["accept", "pull", "push_once", "run", "dead_letters", "replay", "status", "from_config"]


def test_help_on_client_lists_and_explains_the_helpers():
    text = pydoc.render_doc(odoosync.Client, renderer=pydoc.plaintext)
    assert "search_read" in text, "help(odoosync.Client) should list search_read"
    assert len(text) > 2000, f"help(odoosync.Client) is only {len(text)} characters"
    for m in CLIENT_METHODS:
        assert m in text, f"help(odoosync.Client) does not mention {m}"


@pytest.mark.parametrize("name", CLIENT_METHODS)
def test_client_methods_have_docstrings(name):
    doc = getattr(odoosync.Client, name).__doc__ or ""
    assert len(doc.strip()) > 20, f"Client.{name} has no real docstring: {doc!r}"


@pytest.mark.parametrize("name", ENGINE_METHODS)
def test_engine_methods_have_docstrings(name):
    doc = getattr(odoosync.Engine, name).__doc__ or ""
    assert len(doc.strip()) > 20, f"Engine.{name} has no real docstring: {doc!r}"


@pytest.mark.parametrize("name", PUSHER_METHODS)
def test_pusher_methods_have_docstrings(name):
    doc = getattr(odoosync.Pusher, name).__doc__ or ""
    assert len(doc.strip()) > 20, f"Pusher.{name} has no real docstring: {doc!r}"


@pytest.mark.parametrize("name", FUNCTIONS + ["Client", "Engine", "Event", "Money", "Quantity", "Domain",
                                              "SqliteStore", "MemoryStore", "Emulator", "Error", "Pusher",
                                              "ChannelClient", "Level", "Price", "Fulfilment", "ShopifyEmulator",
                                              "WooCommerceEmulator"])
def test_public_names_have_docstrings(name):
    doc = getattr(odoosync, name).__doc__ or ""
    assert doc.strip(), f"odoosync.{name} has no docstring"


def test_search_read_docstring_mentions_its_parameters():
    doc = odoosync.Client.search_read.__doc__
    for p in ("domain", "fields", "limit"):
        assert p in doc, f"Client.search_read's docstring does not mention {p!r}:\n{doc}"


def test_module_docstring():
    assert odoosync.__doc__ and "odoo" in odoosync.__doc__.lower()


# ------------------------------------------------------------------------------------------ stubs


def _stub_tree():
    return ast.parse(STUBS.read_text(encoding="utf-8"), filename=str(STUBS))


def test_stub_file_parses():
    assert STUBS.is_file(), f"missing {STUBS}"
    _stub_tree()


def test_every_public_stub_name_exists_in_the_module():
    tree = _stub_tree()
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    public = {n for n in names if not n.startswith("_")}
    missing = sorted(n for n in public if not hasattr(odoosync, n))
    assert not missing, f"the stubs declare names the module lacks: {missing}"


def test_stub_methods_exist_on_the_classes():
    tree = _stub_tree()
    missing = []
    for node in tree.body:
        if not isinstance(node, ast.ClassDef) or not hasattr(odoosync, node.name):
            continue
        cls = getattr(odoosync, node.name)
        for item in node.body:
            if isinstance(item, ast.FunctionDef) and not item.name.startswith("_") and not hasattr(cls, item.name):
                missing.append(f"{node.name}.{item.name}")
    assert not missing, f"the stubs declare methods the classes lack: {missing}"


def test_the_module_has_no_public_name_the_stubs_forget():
    tree = _stub_tree()
    declared = set()
    for node in tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            declared.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            declared.add(node.target.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            declared.update((a.asname or a.name).split(".")[0] for a in node.names)
    exported = getattr(odoosync, "__all__", None) or [n for n in dir(odoosync) if not n.startswith("_")]
    modules = {n for n in exported if type(getattr(odoosync, n, None)).__name__ == "module"}
    forgotten = sorted(set(exported) - declared - modules)
    assert not forgotten, f"public names without stubs: {forgotten}"
