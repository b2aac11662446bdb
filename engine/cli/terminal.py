"""How command output looks where it lands: colour on a terminal unless --no-color, NO_COLOR or TERM=dumb
forbids it (FORCE_COLOR asks for it anywhere); live progress on a terminal, plain timestamped lines in CI
logs and pipes. Everything still goes through sys.stdout, so the redactor sees every byte."""
from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import TextIO

import click

ACTION_COLORS = {"install": "green", "upgrade": "yellow", "recover": "magenta", "uninstall": "red",
                 "in-progress": "cyan"}


@dataclass(frozen=True)
class Style:
    color: bool
    live: bool  # redraw progress in place (a terminal) rather than print a line per event


def detect_style(no_color: bool = False, stream: TextIO | None = None) -> Style:
    stream = stream or sys.stdout
    terminal = stream.isatty() and os.environ.get("TERM") != "dumb"
    if no_color or os.environ.get("NO_COLOR"):  # no-color.org: set and not empty
        color = False
    elif os.environ.get("FORCE_COLOR"):
        color = True
    else:
        color = terminal
    return Style(color, terminal)


def styled(text: str, style: Style, **attributes) -> str:
    return click.style(text, **attributes) if style.color else text


def colored_diff(text: str, style: Style) -> str:
    """A unified diff with its lines coloured as git colours them."""
    if not style.color:
        return text
    out = []
    for line in text.splitlines(keepends=True):
        if line.startswith(("+++", "---")):
            out.append(click.style(line, bold=True))
        elif line.startswith("+"):
            out.append(click.style(line, fg="green"))
        elif line.startswith("-"):
            out.append(click.style(line, fg="red"))
        elif line.startswith("@@"):
            out.append(click.style(line, fg="cyan"))
        else:
            out.append(line)
    return "".join(out)


@dataclass
class _Running:
    started: float
    phase: str
    detail: str = ""


@dataclass
class Progress:
    """What a run is doing, release by release: on a terminal a live table (phase, detail such as objects
    ready, elapsed) redrawn in place with finished releases printed above it; elsewhere one timestamped line
    per event (and at most one "still waiting" line per release every ``quiet_seconds``)."""

    style: Style
    quiet_seconds: float = 10.0
    started: float = field(default_factory=time.monotonic)
    _running: dict[str, _Running] = field(default_factory=dict)
    _last_line: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _live: object = None

    def __enter__(self) -> "Progress":
        if self.style.live:
            from rich.console import Console
            from rich.live import Live

            self._live = Live(self._table(), console=Console(file=sys.stdout, force_terminal=True,
                                                            no_color=not self.style.color),
                              refresh_per_second=4, transient=True)
            self._live.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self._live is not None:
            self._live.__exit__(*exc)
            self._live = None

    def event(self, release_id: str, message: str) -> None:
        """A release's news: ``<action> started``, ``waiting: 2/3 ready``, a result, or a hook's output."""
        with self._lock:
            now = time.monotonic()
            running = self._running.get(release_id)
            final = message.startswith(("FAILED", "skipped")) or " as revision " in message or \
                message.startswith(("upgraded", "uninstalled", "installed", "repaired"))
            if message.endswith(" started"):
                self._running[release_id] = _Running(now, message[:-len(" started")])
            elif running is not None and not final and message.startswith("waiting"):
                running.detail = message
                if not self.style.live and now - self._last_line.get(release_id, 0) < self.quiet_seconds:
                    return
            elif final:
                self._running.pop(release_id, None)
            self._last_line[release_id] = now
            if self._live is not None:
                if final or not message.startswith("waiting"):
                    self._live.console.print(self._line(release_id, message, now), highlight=False)
                self._live.update(self._table())
            else:
                click.echo(self._line(release_id, message, now), color=self.style.color)

    def _line(self, release_id: str, message: str, now: float) -> str:
        text = f"[{now - self.started:6.1f}s] {release_id}: {message}"
        if message.startswith("FAILED"):
            return styled(text, self.style, fg="red")
        return text

    def _table(self):
        from rich.table import Table

        table = Table(box=None, show_header=False, pad_edge=False)
        now = time.monotonic()
        for release_id, running in sorted(self._running.items()):
            table.add_row(release_id, running.phase, running.detail, f"{now - running.started:.0f}s")
        return table
