"""Writes ``api.py``, the typed surface of the blocking client, from the async one.

    python -m plane_async._blocking.codegen          # rewrite the file
    python -m plane_async._blocking.codegen --check  # exit 1 if it is out of date

Every public method of every namespace of ``AsyncPlane`` gets a twin with the same
parameters (names, kinds, annotations, defaults) and docstring: a coroutine method becomes
a method returning its result, a method returning an async generator becomes one returning a
``BlockingStream`` of the same items. The twin forwards to the async method through the
portal, so the API is written once; a test checks the file is current. Not imported at
run time.
"""

from __future__ import annotations

import ast
import enum
import importlib
import importlib.util
import inspect
import subprocess
import sys
import typing
from pathlib import Path

__all__ = ["is_current", "main", "render", "shape"]

TARGET = Path(__file__).with_name("api.py")
_STREAMS = ("AsyncGenerator", "AsyncIterator", "ResultStream")
_BUILTINS = set(dir(__import__("builtins")))
#: AsyncPlane's methods that get a blocking twin (the rest are written by hand in _blocking.py)
_CLIENT_METHODS = ("check", "request")
#: names the generated module itself defines or imports at run time
_LOCAL = {"AsyncPlane", "BlockingStream", "Portal", "portal"}


class _Imports:
    """The names the annotations use, resolved to the module that provides them."""

    def __init__(self) -> None:
        self.names: dict[str, tuple[str, str]] = {}  # local name -> (module, name)
        self.modules: dict[str, str] = {}  # local name -> module (``import x as y``)
        self._cache: dict[str, dict[str, tuple[str, str | None]]] = {}
        self.runtime: dict[str, str] = {}  # names a default value needs at run time

    def _table(self, module: str) -> dict[str, tuple[str, str | None]]:
        table = self._cache.get(module)
        if table is not None:
            return table
        mod = importlib.import_module(module)
        tree = ast.parse(inspect.getsource(mod))
        table = {}
        package = module if hasattr(mod, "__path__") else module.rpartition(".")[0]
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                source = (
                    importlib.util.resolve_name("." * node.level + (node.module or ""), package)
                    if node.level
                    else node.module
                )
                for alias in node.names:
                    table[alias.asname or alias.name] = (str(source), alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    table[alias.asname or alias.name.partition(".")[0]] = (
                        alias.name if alias.asname else alias.name.partition(".")[0],
                        None,
                    )
        self._cache[module] = table
        return table

    def use(self, annotation: str, *modules: str) -> None:
        """Import what ``annotation`` names, as the first of ``modules`` that has it does."""
        for node in ast.walk(ast.parse(annotation, mode="eval")):
            if not isinstance(node, ast.Name) or node.id in _BUILTINS or node.id in _LOCAL:
                continue
            name = node.id
            found = self._find(name, modules)
            source, attr = found
            if attr is None:
                if self.modules.setdefault(name, source) != source:
                    raise LookupError(f"two modules are both called {name!r}")
            elif self.names.setdefault(name, (source, attr)) != (source, attr):
                raise LookupError(f"two types are both called {name!r}")

    def _find(self, name: str, modules: tuple[str, ...]) -> tuple[str, str | None]:
        for module in modules:
            found = self._table(module).get(name)
            if found is not None:
                return found
            if hasattr(importlib.import_module(module), name):
                return (module, name)
        raise LookupError(f"{modules}: cannot find where {name!r} comes from")

    def lines(self) -> list[str]:
        out = []
        for name, module in sorted(self.modules.items()):
            out.append(f"import {module}" + ("" if module == name else f" as {name}"))
        by_module: dict[str, list[str]] = {}
        for name, (module, attr) in self.names.items():
            if name in self.runtime:
                continue
            by_module.setdefault(module, []).append(attr if attr == name else f"{attr} as {name}")
        for module in sorted(by_module):
            out.append(f"from {module} import {', '.join(sorted(by_module[module]))}")
        return out


def _substitute(annotation: str, typevars: dict[str, str]) -> str:
    """``annotation`` with a generic base's type variables replaced by the concrete types."""
    if not typevars:
        return annotation

    class Swap(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.AST:
            if node.id in typevars:
                return ast.copy_location(ast.Name(typevars[node.id], ast.Load()), node)
            return node

    return ast.unparse(Swap().visit(ast.parse(annotation, mode="eval")))


def _typevars(cls: type) -> dict[str, str]:
    """Type variable name -> concrete class name, from ``class X(Base[A, B])``."""
    out: dict[str, str] = {}
    for base in getattr(cls, "__orig_bases__", ()):
        origin = typing.get_origin(base)
        if origin is None:
            continue
        for var, arg in zip(origin.__parameters__, typing.get_args(base), strict=True):
            out[var.__name__] = arg.__name__
    return out


def _stream_item(annotation: str) -> str | None:
    """``X`` for ``AsyncGenerator[X]`` (and the like); None for any other annotation."""
    node = ast.parse(annotation, mode="eval").body
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Name)
        and node.value.id in _STREAMS
    ):
        inner = node.slice.elts[0] if isinstance(node.slice, ast.Tuple) else node.slice
        return ast.unparse(inner)
    return None


def _method(name: str, fn: typing.Any, owner: type, imports: _Imports, target: str) -> str:
    """The source of one blocking twin of ``fn`` (a method of ``owner``)."""
    sig = inspect.signature(fn)
    module = fn.__module__
    typevars = _typevars(owner)
    # a generic base's method names the concrete types its subclass's module imports
    modules = (module, owner.__module__)
    params = []
    forward = []
    star_done = False
    for param in list(sig.parameters.values())[1:]:
        text = param.name
        if param.annotation is not inspect.Parameter.empty:
            annotation = _substitute(str(param.annotation), typevars)
            imports.use(annotation, *modules)
            text += f": {annotation}"
        if param.default is not inspect.Parameter.empty:
            default = _default(param.default, imports)
            text += (
                f" = {default}"
                if param.annotation is not inspect.Parameter.empty
                else (f"={default}")
            )
        if param.kind is param.VAR_POSITIONAL:
            params.append("*" + text)
            forward.append("*" + param.name)
            star_done = True
        elif param.kind is param.VAR_KEYWORD:
            params.append("**" + text)
            forward.append("**" + param.name)
        elif param.kind is param.KEYWORD_ONLY:
            if not star_done:
                params.append("*")
                star_done = True
            params.append(text)
            forward.append(f"{param.name}={param.name}")
        else:
            params.append(text)
            forward.append(param.name)
        if param.kind is param.POSITIONAL_ONLY:
            raise NotImplementedError("positional-only parameters are not forwarded yet")
    returns = _substitute(str(sig.return_annotation), typevars)
    if inspect.iscoroutinefunction(fn):
        body = f"return self._portal.call({target}.{name}{''.join(', ' + f for f in forward)})"
    else:
        item = _stream_item(returns)
        if item is None:
            raise TypeError(f"{owner.__name__}.{name} is neither a coroutine nor a stream")
        returns = f"BlockingStream[{item}]"
        body = f"return self._portal.stream({target}.{name}{''.join(', ' + f for f in forward)})"
    imports.use(returns, *modules)
    doc = inspect.getdoc(fn) or ""
    head = f"    def {name}(self, {', '.join(params)}) -> {returns}:"
    lines = [head.replace("(self, )", "(self)")]
    if doc:
        lines.append(f"        {_docstring(doc)}")
    lines.append(f"        {body}")
    return "\n".join(lines)


def _default(value: object, imports: _Imports) -> str:
    """The source of a default value (a literal, or a member of an enum imported at run time)."""
    if isinstance(value, enum.Enum):
        cls = type(value)
        imports.runtime[cls.__name__] = cls.__module__
        return f"{cls.__name__}.{value.name}"
    text = repr(value)
    if ast.literal_eval(text) != value:
        raise ValueError(f"the default {text} does not read back as itself")
    return text


def _docstring(doc: str) -> str:
    # the async client's examples, as the blocking client is called
    doc = doc.replace("``await plane.", "``plane.").replace("``async for ", "``for ")
    doc = doc.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if "\n" not in doc:
        return f'"""{doc}"""'
    body = "\n".join(("        " + line) if line else "" for line in doc.splitlines()[1:])
    return f'"""{doc.splitlines()[0]}\n{body}\n        """'


def _public_methods(cls: type) -> list[tuple[str, typing.Any]]:
    out = []
    for name in sorted(dir(cls)):
        if name.startswith("_"):
            continue
        value = inspect.getattr_static(cls, name)
        if inspect.isfunction(value):
            out.append((name, value))
    return out


def render() -> str:
    """The source of ``api.py`` (before ``ruff format``)."""
    from .._client import AsyncPlane
    from ..resources._base import Resource

    client = AsyncPlane(api_key="plane_api_" + "0" * 32, workspace="codegen")
    imports = _Imports()
    classes: list[str] = []
    namespaces: list[tuple[str, str, str]] = []  # attribute, blocking class, async class
    for attr, value in vars(client).items():
        if not isinstance(value, Resource):
            continue
        cls = type(value)
        imports.names[cls.__name__] = (cls.__module__, cls.__name__)
        twin = "Blocking" + cls.__name__
        namespaces.append((attr, twin, cls.__name__))
        methods = [_method(n, f, cls, imports, "self._async") for n, f in _public_methods(cls)]
        doc = (inspect.getdoc(cls) or "").splitlines()[0]
        classes.append(
            f"class {twin}:\n"
            f'    """``plane.{attr}`` of the blocking client: {doc}"""\n\n'
            "    __slots__ = ('_async', '_portal')\n\n"
            f"    def __init__(self, portal: Portal, resource: {cls.__name__}) -> None:\n"
            "        self._portal = portal\n"
            "        self._async = resource\n\n"
            "    def __repr__(self) -> str:\n"
            f"        return '<{twin}>'\n\n" + "\n\n".join(methods)
        )
    init = inspect.signature(AsyncPlane.__init__)
    init_params, init_forward = [], []
    for param in list(init.parameters.values())[1:]:
        annotation = str(param.annotation)
        imports.use(annotation, AsyncPlane.__module__)
        init_params.append(f"{param.name}: {annotation} = {param.default!r}")
        ast.literal_eval(repr(param.default))
        init_forward.append(f"{param.name}={param.name}")
    client_methods = [
        _method(n, getattr(AsyncPlane, n), AsyncPlane, imports, "self._async")
        for n in _CLIENT_METHODS
    ]
    ns_lines = "\n".join(f"    {a}: {t}" for a, t, _ in namespaces)
    ns_init = "\n".join(f"        self.{a} = {t}(portal, client.{a})" for a, t, _ in namespaces)
    base = (
        "class BlockingClientBase:\n"
        '    """The namespaces and calls of the blocking client (``Plane`` adds the rest)."""\n\n'
        "    _async: AsyncPlane\n"
        "    _portal: Portal\n"
        f"{ns_lines}\n\n"
        "    def _attach(self, portal: Portal, client: AsyncPlane) -> None:\n"
        "        self._portal = portal\n"
        "        self._async = client\n"
        f"{ns_init}\n\n"
        f"    def __init__(self, *, {', '.join(init_params)}) -> None:\n"
        '        """Takes ``AsyncPlane``\'s arguments, with the same defaults and checks."""\n'
        f"        self._attach(portal, AsyncPlane({', '.join(init_forward)}))\n\n"
        + "\n\n".join(client_methods)
    )
    header = (
        '"""The blocking client\'s namespaces: generated from the async ones, do not edit.\n\n'
        "Regenerate with ``python -m plane_async._blocking.codegen`` after changing a public\n"
        "method of AsyncPlane or of a namespace (a test fails until then).\n"
        '"""\n\n'
        "# ruff: noqa: E501\n"
        "from __future__ import annotations\n\n"
        "from typing import TYPE_CHECKING\n\n"
        "from .._client import AsyncPlane\n"
        "from .portal import BlockingStream, Portal, portal\n"
        + "".join(f"from {m} import {n}\n" for n, m in sorted(imports.runtime.items()))
        + "\nif TYPE_CHECKING:\n"
        + "\n".join("    " + line for line in imports.lines() if not _is_runtime(line, imports))
        + "\n\n__all__ = ['BlockingClientBase', "
        + ", ".join(repr(t) for _, t, _ in namespaces)
        + "]\n\n\n"
    )
    return header + "\n\n\n".join([*classes, base]) + "\n"


def _is_runtime(line: str, imports: _Imports) -> bool:
    return any(line == f"from {m} import {n}" for n, m in imports.runtime.items())


def formatted() -> str:
    """``render()`` through ``ruff format`` (the project's formatter)."""
    source = render()
    for command in (["check", "--fix-only", "--select", "I", "--quiet"], ["format"]):
        source = subprocess.run(
            [sys.executable, "-m", "ruff", *command, "--stdin-filename", str(TARGET), "-"],
            input=source,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    return source


def shape(source: str) -> tuple[str, frozenset[tuple[str, str, str | None]]]:
    """What ``source`` does, whatever its formatting: the syntax tree without its imports,
    and the set of (module, name, alias) it imports (``ruff`` sorts and wraps those)."""
    imports: set[tuple[str, str, str | None]] = set()

    class Strip(ast.NodeTransformer):
        def visit_Import(self, node: ast.Import) -> None:
            imports.update((a.name, "", a.asname) for a in node.names)

        def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
            module = "." * node.level + (node.module or "")
            imports.update((module, a.name, a.asname) for a in node.names)

    tree = Strip().visit(ast.parse(source))
    return ast.dump(tree), frozenset(imports)


def is_current() -> bool:
    """True if ``api.py`` is what ``render()`` gives (formatting aside)."""
    return shape(TARGET.read_text()) == shape(render())


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    source = formatted()
    if "--check" in args:
        if TARGET.read_text() != source:
            print(f"{TARGET.name} is out of date: run python -m plane_async._blocking.codegen")
            return 1
        return 0
    TARGET.write_text(source)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
