"""rlcore is layered: a module imports only from its own layer or layers below (nothing imports upward)."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "rlcore"
RANK = {"config": 0, "seeding": 0, "logs": 0, "envs": 1, "learners": 2, "analysis": 3, "plotting": 4,
        "exercises": 4, "widgets": 5, "lesson": 6}


def layer_of(module: str) -> str:
    return module.split(".")[1] if module.count(".") >= 1 else module


def imported_rlcore_modules(path: Path) -> set[str]:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    package = parts if path.name == "__init__.py" else parts[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
                names = [target] if node.module else [f"{target}.{a.name}" for a in node.names]
                found.update(names)
            elif node.module and node.module.startswith("rlcore"):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("rlcore"))
    return {m for m in found if m.count(".") >= 1}


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or p.parent != PACKAGE)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_upward_imports(path):
    own = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
    assert own in RANK, f"{own} is not a known layer; add it to LAYERS"
    for module in imported_rlcore_modules(path):
        target = layer_of(module)
        assert RANK[target] <= RANK[own], f"{path.name} ({own}) imports {module} ({target}), a higher layer"
