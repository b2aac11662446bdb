"""Release names: Helm's NameAndChart argument rules and name validation."""
from __future__ import annotations

import os
import re
import time

from engine.cli.errors import CommandError

MAX_RELEASE_NAME = 53
_NAME_PATTERN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
_NAME = re.compile(_NAME_PATTERN)


def validate_release_name(name: str) -> None:
    """Refuse a name Helm refuses, with Helm's message."""
    if not name:
        raise CommandError("release name check failed: no name provided")
    if len(name) > MAX_RELEASE_NAME or not _NAME.match(name):
        raise CommandError(f'release name check failed: release name "{name}": invalid release name, must match '
                           f"regex {_NAME_PATTERN} and the length must not be longer than {MAX_RELEASE_NAME}")


def name_and_chart(args: tuple[str, ...], default_name: str = "", generate: bool = False,
                   name_template: str = "") -> tuple[str, str]:
    """Split ``[NAME] CHART`` as Helm does, generating or templating the name when asked."""
    if len(args) > 2:
        raise CommandError(f"expected at most two arguments, unexpected arguments: {', '.join(args[2:])}")
    if len(args) == 2:
        if generate:
            raise CommandError("cannot set --generate-name and also specify a name")
        if name_template:
            raise CommandError("cannot set --name-template and also specify a name")
        return args[0], args[1]
    if name_template:
        return _render_name_template(name_template), args[0]
    if default_name:
        return default_name, args[0]
    if not generate:
        raise CommandError("must either provide a name or specify --generate-name")
    base = os.path.basename(args[0].rstrip("/")) or "chart"
    base = "chart" if base == "." else base.split(".", 1)[0]
    return f"{base}-{int(time.time())}", args[0]


def _render_name_template(text: str) -> str:
    from engine.gotemplate.sprig import SPRIG_FUNCS
    from engine.gotemplate.template_set import TemplateSet

    template_set = TemplateSet(SPRIG_FUNCS)
    template_set.parse("name-template", text)
    return template_set.execute("name-template", None)
