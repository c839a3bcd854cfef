"""No import cycles in either package (issue #32 section 4), read from the source by grimp.

An edge a -> b means that importing a runs b: every ``import`` grimp finds (at module top or deferred into a
function: a deferred import that dodges a cycle is still one) plus the packages above b, whose ``__init__``
Python runs first (except those above a itself, already being imported when a runs). Imports under
``if TYPE_CHECKING:`` are not edges: they name a type for the checker and never run.
"""

import grimp
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components


def import_cycles(package: str) -> list[list[str]]:
    """The strongly connected components of more than one module of ``package``'s import graph."""
    graph = grimp.build_graph(package, exclude_type_checking_imports=True)
    names = sorted(graph.modules)
    index = {name: i for i, name in enumerate(names)}
    rows, cols = [], []
    for importer in names:
        for imported in graph.find_modules_directly_imported_by(importer):
            parts = imported.split(".")
            for depth in range(1, len(parts) + 1):
                runs = ".".join(parts[:depth])
                if runs != importer and not importer.startswith(runs + "."):
                    rows.append(index[importer])
                    cols.append(index[runs])
    edges = csr_matrix(([1] * len(rows), (rows, cols)), shape=(len(names), len(names)))
    count, labels = connected_components(edges, directed=True, connection="strong")
    members = [[names[i] for i in range(len(names)) if labels[i] == c] for c in range(count)]
    return sorted(m for m in members if len(m) > 1)


@pytest.mark.parametrize("package", ["dasc_env", "rmo_agents"])
def test_package_has_no_import_cycle(package):
    assert import_cycles(package) == []


def test_a_deferred_import_through_a_package_init_is_a_cycle(tmp_path, monkeypatch):
    root = tmp_path / "cyclic"
    (root / "low").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "low" / "__init__.py").write_text("from .leaf import VALUE\n")
    (root / "low" / "leaf.py").write_text("VALUE = 1\n\ndef later():\n    from ..high import use\n    return use\n")
    (root / "high.py").write_text("from .low.leaf import VALUE\n\nuse = VALUE\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert import_cycles("cyclic") == [["cyclic.high", "cyclic.low", "cyclic.low.leaf"]]
