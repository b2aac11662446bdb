"""Flags several commands share: values flags and chart location."""
from __future__ import annotations

import functools
import sys
from typing import Any, Callable

import click

VALUES_FLAGS = ("values", "set_values", "set_string", "set_file", "set_json", "set_literal")


def values_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add Helm's values flags (-f, --set, --set-string, --set-file, --set-json, --set-literal)."""
    options = [
        click.option("-f", "--values", "values", multiple=True,
                     help="specify values in a YAML file or a URL (can specify multiple)"),
        click.option("--set", "set_values", multiple=True,
                     help="set values on the command line (can specify multiple or separate values with commas: "
                          "key1=val1,key2=val2)"),
        click.option("--set-string", "set_string", multiple=True,
                     help="set STRING values on the command line"),
        click.option("--set-file", "set_file", multiple=True,
                     help="set values from respective files specified via the command line"),
        click.option("--set-json", "set_json", multiple=True,
                     help="set JSON values on the command line"),
        click.option("--set-literal", "set_literal", multiple=True,
                     help="set a literal STRING value on the command line"),
    ]
    return functools.reduce(lambda cmd, option: option(cmd), reversed(options), command)


def user_values_from(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Build the user-supplied values from the values flags in ``kwargs`` (removing them)."""
    from engine.values.user_values import build_user_values

    flags = {name: list(kwargs.pop(name, ()) or ()) for name in VALUES_FLAGS}
    return build_user_values(flags["values"], flags["set_json"], flags["set_values"], flags["set_string"],
                             flags["set_file"], flags["set_literal"], stdin=sys.stdin)
