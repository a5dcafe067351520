#!/usr/bin/env python3
"""Fails when two modules of one crate import each other (directly or through a longer cycle).

For every crate of the workspace (each `src/` holding a `lib.rs` or `main.rs`) it maps each
source file to its module path, reads the `crate::…` and `super::…` paths the file names
outside comments, and adds an edge from the file's module to the module it names. An edge is
lifted to the two sibling modules under the deepest common parent (an import from
`coprocessor::dyn_cs` of `block` counts as `coprocessor` → `block`); imports of an ancestor or
of a descendant are not edges (a parent declares its children, a child uses what the parent
declares for it). Test code (`#[cfg(test)]` items, `tests` modules) is left out: tests may
use any module. A cycle among siblings is reported with its path, and the script exits 1.

Usage: python3 scripts/check_module_cycles.py [ROOT]   (ROOT defaults to the repository)
"""

import os
import re
import sys

PATH_RE = re.compile(r"\b(crate|super)((?:::[A-Za-z_][A-Za-z0-9_]*)+)")
GROUP_RE = re.compile(r"\b(crate|super)::\{([^}]*)\}")


def module_of(src: str, path: str) -> tuple:
    rel = os.path.relpath(path, src)[:-3].split(os.sep)
    if rel[-1] in ("lib", "main", "mod"):
        rel = rel[:-1]
    return tuple(rel)


def code_lines(path: str):
    """The file's lines outside comments, up to its `#[cfg(test)]` items (tests may use any
    module of their crate: they are not part of the layering)."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            stripped = line.lstrip()
            if stripped.startswith("#[cfg(test)]"):
                return
            if stripped.startswith("//"):
                continue
            yield line.split("//", 1)[0]


def resolve(kind: str, names: list, here: tuple, is_dir_module: bool, modules: set):
    """The longest existing module named by `kind::names` seen from module `here`."""
    if kind == "crate":
        base = ()
    else:
        # `super` in a file module `a/b.rs` is `a`; in `a/b/mod.rs` it is also `a`.
        base = here[:-1]
        while names and names[0] == "super":
            base = base[:-1]
            names = names[1:]
    best = None
    path = base
    for n in names:
        path = path + (n,)
        if path in modules:
            best = path
        else:
            break
    return best if best is not None else (base if base in modules else None)


def edges_of(src: str):
    files = []
    for root, _dirs, names in os.walk(src):
        for n in names:
            if n.endswith(".rs"):
                files.append(os.path.join(root, n))
    modules = {module_of(src, f) for f in files}
    edges = set()
    for f in files:
        here = module_of(src, f)
        if "tests" in here:
            continue
        is_dir = os.path.basename(f) in ("mod.rs", "lib.rs", "main.rs")
        text = "\n".join(code_lines(f))
        refs = []
        for m in PATH_RE.finditer(text):
            refs.append((m.group(1), m.group(2).split("::")[1:]))
        for m in GROUP_RE.finditer(text):
            for item in m.group(2).split(","):
                item = item.strip().split(" as ")[0]
                if item:
                    refs.append((m.group(1), item.split("::")))
        for kind, names in refs:
            target = resolve(kind, names, here, is_dir, modules)
            if target is None or target == here:
                continue
            # ancestors and descendants are not edges
            if target == here[: len(target)] or here == target[: len(here)]:
                continue
            k = 0
            while k < min(len(here), len(target)) and here[k] == target[k]:
                k += 1
            edges.add((here[: k + 1], target[: k + 1]))
    return edges


def find_cycle(edges):
    graph = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
    state = {}
    stack = []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in state:
                c = visit(m)
                if c:
                    return c
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state:
            c = visit(n)
            if c:
                return c
    return None


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    failed = False
    checked = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in ("target", ".git", "fuzz", "guest")]
        if os.path.basename(dirpath) != "src":
            continue
        if "lib.rs" not in filenames and "main.rs" not in filenames:
            continue
        checked += 1
        cycle = find_cycle(edges_of(dirpath))
        crate = os.path.relpath(os.path.dirname(dirpath), root) or "."
        if cycle:
            failed = True
            print(f"{crate}: module cycle: " + " -> ".join("::".join(m) for m in cycle))
    print(f"checked {checked} crates: " + ("cycles found" if failed else "no module cycle"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
