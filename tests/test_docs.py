"""Documentation stays true: every CLI command is in the README, which gives exactly two commands."""

from __future__ import annotations

import argparse
import re

from sitekit import ROOT

from interpcat.cli import build_parser


def _commands(parser: argparse.ArgumentParser, prefix: str = "interpcat") -> list[str]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                nested = _commands(sub, f"{prefix} {name}")
                found.extend(nested or [f"{prefix} {name}"])
    return found


def test_every_cli_command_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [cmd for cmd in _commands(build_parser()) if f"`{cmd}" not in readme]
    assert missing == [], f"undocumented commands: {missing}"


def test_readme_gives_exactly_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(?:bash|sh|console)?\n(.*?)```", readme, flags=re.S)
    commands = [line for block in blocks for line in block.splitlines() if line.strip() and not line.startswith("#")]
    assert len(commands) == 2, commands
    assert all((ROOT / line.split()[1]).is_file() for line in commands)


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    test_command = next(line for line in readme.splitlines() if line.startswith("bash scripts/test"))
    script = test_command.split()[1]
    assert script in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
