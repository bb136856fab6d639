"""Import direction between the project's apps (DESIGN.md §3, STYLE.md).

``campaign.core`` holds what every app uses, so it imports no other project app; and no
app reaches into another app's private names (a leading underscore), which would tie
it to code the other app may change at will. Read from the source with ``ast``, so a
lazy import inside a function counts as much as one at the top of a module.
"""

import ast
from pathlib import Path

import campaign

ROOT = Path(campaign.__file__).parent
APPS = sorted(p.name for p in ROOT.iterdir() if (p / "apps.py").exists())


def _modules():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if "migrations" in relative.parts or relative.parts[0] not in APPS:
            continue
        yield relative.parts[0], path, ast.parse(path.read_text(), filename=str(path))


def _imports(tree, package):
    """(imported module, imported names) of every import in ``tree``, relative imports
    resolved against ``package`` (the dotted package the module lives in)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, module] if module else base)
            yield module, [alias.name for alias in node.names]


def _package(path):
    """campaign/core/x.py and campaign/core/__init__.py are both in campaign.core."""
    return ".".join(path.relative_to(ROOT.parent).parent.parts)


def _app_of(module):
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "campaign" and parts[1] in APPS else None


def test_the_apps_are_found():
    assert {"core", "institutions", "materials", "news", "invitations", "fieldapp"} <= set(APPS)


def test_core_imports_no_other_project_app():
    found = [
        f"{path.relative_to(ROOT)} imports {module}"
        for app, path, tree in _modules()
        if app == "core"
        for module, _names in _imports(tree, _package(path))
        if _app_of(module) not in (None, "core")
    ]
    assert found == []


def test_no_app_imports_another_apps_private_names():
    found = []
    for app, path, tree in _modules():
        for module, names in _imports(tree, _package(path)):
            other = _app_of(module)
            if other is None or other == app:
                continue
            private = [name for name in names if name.startswith("_")]
            private += [part for part in module.split(".") if part.startswith("_") and part != "__init__"]
            if private:
                found.append(f"{path.relative_to(ROOT)}: {module} {private}")
    assert found == []


def test_the_check_sees_a_violation(tmp_path):
    """The walker itself: a private import across apps and a core import are found."""
    tree = ast.parse(
        "from campaign.invitations.services import _enqueue_chunk\nfrom ..news import memo\nfrom . import x\n"
    )
    imports = list(_imports(tree, "campaign.core"))
    assert ("campaign.invitations.services", ["_enqueue_chunk"]) in imports
    assert imports[1] == ("campaign.news", ["memo"])  # two dots from campaign.core: campaign
    assert imports[2] == ("campaign.core", ["x"])
    assert _package(ROOT / "core" / "management" / "commands" / "x.py") == "campaign.core.management.commands"
    assert _package(ROOT / "core" / "__init__.py") == "campaign.core"
