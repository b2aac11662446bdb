"""Commands that do not talk to a cluster or the network import none of the slow libraries."""
from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from engine.cli.app import COMMANDS

ROOT = Path(__file__).resolve().parents[2]
SLOW = ("kubernetes", "cryptography", "requests", "urllib3", "jsonschema", "deepdiff", "networkx", "jinja2")
PROBE = "import sys, io, contextlib\nfrom engine.cli.main import main\nwith contextlib.redirect_stdout(io.StringIO()):\n" \
        "    status = main(sys.argv[1:])\nprint(status, ' '.join(sorted(name.split('.')[0] for name in sys.modules)))"


@pytest.mark.parametrize("args", [("version",), ("--help",), ("template", "x", str(ROOT / "examples/charts/demo")),
                                  ("show", "chart", str(ROOT / "examples/charts/demo"))])
def test_offline_commands_import_no_slow_library(args) -> None:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=ROOT,
                          env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "PYTHONPATH": str(ROOT)})
    status, modules = done.stdout.strip().split(" ", 1)
    assert status == "0", done.stderr
    assert sorted(set(SLOW) & set(modules.split())) == []


# what ``pyhelm version`` must not pay for: the command framework, YAML and the template engine
FRAMEWORK = ("click", "yaml", "engine.gotemplate", "engine.render", "dataclasses", "inspect")
QUICK_PROBE = "import sys, io, contextlib\nfrom engine.cli.main import main\nout = io.StringIO()\n" \
              "with contextlib.redirect_stdout(out):\n    status = main(sys.argv[1:])\nmodules = sorted(sys.modules)\n" \
              "import json\nsys.stderr.write(json.dumps([status, out.getvalue(), modules]))"


def _probe(*args: str) -> tuple[int, str, list[str]]:
    done = subprocess.run([sys.executable, "-c", QUICK_PROBE, *args], capture_output=True, text=True, cwd=ROOT,
                          env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "PYTHONPATH": str(ROOT)})
    status, output, modules = json.loads(done.stderr)
    return status, output, modules


@pytest.mark.parametrize("args", [("version",), ("version", "--short"), ("--version",)])
def test_version_is_answered_without_loading_the_command_framework(args) -> None:
    status, _output, modules = _probe(*args)
    assert status == 0
    loaded = [name for name in modules if any(name == slow or name.startswith(slow + ".") for slow in FRAMEWORK)]
    assert loaded == []


@pytest.mark.parametrize("args", [("version",), ("version", "--short"), ("--version",)])
def test_the_quick_version_answer_is_the_commands_own(args) -> None:
    from click.testing import CliRunner

    from engine.cli.app import cli

    _status, output, _modules = _probe(*args)
    assert output == CliRunner().invoke(cli, list(args)).output


def test_help_lists_the_commands_without_importing_them() -> None:
    status, output, modules = _probe("--help")
    assert status == 0 and "  template    Locally render templates: [NAME] CHART.\n" in output
    command_modules = {target.split(":")[0] for target, _help in COMMANDS.values()}
    assert sorted(command_modules & set(modules)) == []


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_help_table_says_what_each_command_says(name) -> None:
    """--help lists each command with the table's text; it must be the command's own help."""
    target, listed_help = COMMANDS[name]
    module_name, attribute = target.split(":")
    command = getattr(importlib.import_module(module_name), attribute)
    assert listed_help == (None if command.hidden else " ".join(command.help.split()))


def test_the_version_names_the_python_that_runs_it() -> None:
    import platform

    from engine.version import build_info

    assert build_info()["PythonVersion"] == platform.python_version()


# what ``pyhelm template`` of a chart directory must not pay for: archives, release-record codecs, JSON
# decoding, the Sprig modules its templates never call (and what they stand on)
TEMPLATE_UNNEEDED = ("tarfile", "gzip", "json", "hmac", "engine.gotemplate.json_syntax",
                     "engine.gotemplate.sprig.crypto", "engine.gotemplate.sprig.dates", "engine.gotemplate.sprig.math",
                     "engine.gotemplate.sprig.regex", "engine.gotemplate.sprig.semver", "engine.gotemplate.gotime",
                     "engine.gotemplate.gotime_parse", "engine.gotemplate.gobase", "engine.release.record")


@pytest.mark.parametrize("extra, replicas", [((), 1), (("-f", "values.yaml"), 3), (("--set", "replicaCount=2"), 2)])
def test_template_of_a_chart_directory_imports_only_what_the_render_needs(extra, replicas, tmp_path) -> None:
    (tmp_path / "values.yaml").write_text("replicaCount: 3\n")
    extra = tuple(str(tmp_path / arg) if arg == "values.yaml" else arg for arg in extra)
    status, output, modules = _probe("template", "x", str(ROOT / "examples/charts/demo"), *extra)
    assert status == 0 and f"replicas: {replicas}\n" in output
    unneeded = TEMPLATE_UNNEEDED + (() if "--set" in extra else ("engine.values.strvals",))
    assert sorted(set(unneeded) & set(modules)) == []
