"""The package's modules import one another without circles.

Every import statement counts, also those inside functions: a circle hidden in a function
is still a circle to read and to change.
"""

import ast
from pathlib import Path

import sambot

PACKAGE = Path(sambot.__file__).parent


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def runtime_imports(tree: ast.AST):
    """Every import statement, but those under `if TYPE_CHECKING:` (never run)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        yield from runtime_imports(node)


def import_graph() -> dict[str, set[str]]:
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in runtime_imports(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # `from package import module` imports the module, not the package's names.
                targets = [
                    f"{node.module}.{alias.name}"
                    if f"{node.module}.{alias.name}" in modules
                    else node.module
                    for alias in node.names
                ]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_no_import_circles():
    assert cycles(import_graph()) == []


def test_the_check_finds_a_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_domain_packages_know_nothing_of_slack():
    domain = (
        "accounts",
        "accountplan",
        "actions",
        "stakeholders",
        "touchpoints",
        "plans",
        "workspaces",
        "portfolio",
    )
    graph = import_graph()
    leaks = {
        name: sorted(t for t in targets if t.startswith(("sambot.slack", "sambot.jobs")))
        for name, targets in graph.items()
        if name.split(".")[1:2] and name.split(".")[1] in domain
    }
    assert {name: found for name, found in leaks.items() if found} == {}


def test_the_web_server_starts_without_the_drawing_libraries():
    """matplotlib (and numpy under it) costs the server about 50 MB and a second at start;
    only a chart or a map needs it, so only they import it."""
    import subprocess
    import sys

    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, sambot.slack.app, sambot.slack.server, sambot.cli; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'matplotlib', 'numpy'}))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert loaded == "[]"
