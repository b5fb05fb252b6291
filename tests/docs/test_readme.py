"""Every ```python block of the README and of the site (docs/) type-checks (mypy --strict)
and runs against FakePlane.

How a block is checked is set by a marker above it: see ``tests/support/readme_blocks.py``. Blocks
and pages added later are picked up by themselves; a marker with an unknown mode fails
collection.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from plane_async.testing import FakePlane, Seed
from tests.support.readme_blocks import Block, documents, extract
from tests.support.subprocess_helpers import ROOT, TROUBLE, clean_env, plane_env, run_python

# type-checks and runs every block, each in its own process
pytestmark = pytest.mark.slow

BLOCKS = [block for path in documents(ROOT) for block in extract(path, ROOT)]
_ERROR = re.compile(r"^(?P<module>block_\w+)\.py:(?P<line>\d+): (?P<text>.*)$")


@pytest.fixture(scope="session")
def block_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("readme")
    for block in BLOCKS:
        (folder / f"{block.module}.py").write_text(block.program())
    return folder


@pytest.fixture(scope="session")
def mypy_errors(block_dir: Path) -> dict[str, list[str]]:
    """One mypy --strict run over every block that is type-checked: errors by module,
    with the line numbers of the Markdown files."""
    errors: dict[str, list[str]] = {}
    files = []
    for block in BLOCKS:
        if "skip" in block.modes:
            continue
        # a syntax error stops mypy for every file: report it here instead (compiled, not
        # ast.parse()d: CPython 3.11's AST-to-object conversion can fail with "AST constructor
        # recursion depth mismatch" while another thread of the process builds an AST)
        try:
            compile(block.program(), block.module, "exec", dont_inherit=True)
        except SyntaxError as exc:
            where = block.readme_line(exc.lineno or 1)
            errors[block.module] = [f"{block.source}:{where}: syntax error: {exc.msg}"]
            continue
        files.append(str(block_dir / f"{block.module}.py"))
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
         "--cache-dir", str(ROOT / ".mypy_cache"), "--strict", "--no-error-summary",
         "--show-error-codes", *files],
        cwd=block_dir, capture_output=True, text=True, check=False,
    )  # fmt: skip
    by_module = {b.module: b for b in BLOCKS}
    for line in result.stdout.splitlines():
        found = _ERROR.match(line)
        if found is None:
            if line.strip():
                errors.setdefault("", []).append(line)
            continue
        block = by_module[found["module"]]
        readme_line = block.readme_line(int(found["line"]))
        errors.setdefault(block.module, []).append(f"{block.source}:{readme_line}: {found['text']}")
    assert result.returncode in (0, 1), result.stderr
    return errors


def test_the_readme_and_the_site_have_python_blocks_and_every_marker_is_known() -> None:
    sources = {b.source for b in BLOCKS}
    assert "README.md" in sources
    assert len(sources) >= 10, sources
    assert len(BLOCKS) >= 20
    assert all(b.code.strip() for b in BLOCKS)


def _ids() -> list[str]:
    return [b.name for b in BLOCKS]


@pytest.mark.parametrize("block", BLOCKS, ids=_ids())
def test_readme_block_type_checks(block: Block, mypy_errors: dict[str, list[str]]) -> None:
    if "skip" in block.modes:
        pytest.skip(block.marker)
    problems = mypy_errors.get("", []) + mypy_errors.get(block.module, [])
    if problems:
        pytest.fail("mypy --strict:\n" + "\n".join(problems), pytrace=False)


@pytest.mark.parametrize("block", BLOCKS, ids=_ids())
async def test_readme_block_runs(block: Block, block_dir: Path, tmp_path: Path) -> None:
    if block.modes & {"skip", "no-run"}:
        pytest.skip(block.marker)
    program = block_dir / f"{block.module}.py"
    if "pytest" in block.modes:
        # a project that opted into the plugin, as the testing guide says
        (tmp_path / "conftest.py").write_text(
            'pytest_plugins = ["plane_async.testing.pytest_plugin"]\n'
        )
        program = tmp_path / program.name
        program.write_text(block.program())
        args = ["-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "asyncio_mode=auto",
                "-o", "asyncio_default_fixture_loop_scope=function", "-W", "error",
                "--rootdir", str(tmp_path), str(program)]  # fmt: skip
        code, out, err = await run_python(args, clean_env(), cwd=tmp_path)
    else:
        async with FakePlane(seed=Seed(projects=2, issues_per_project=30)) as server:
            code, out, err = await run_python([str(program)], plane_env(server), cwd=tmp_path)
    if code != 0:
        where = f"{block.source}:{block.line} ({block.heading})"
        pytest.fail(f"{where} exited with {code}:\n{out}\n{err}", pytrace=False)
    assert not [word for word in TROUBLE if word in err], err
