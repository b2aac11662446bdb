"""Downloads from a hostile chart repository: an overall deadline, size caps, and Go's redirect limit.

The deadline is set short (``PYHELM_DOWNLOAD_TIMEOUT=2s``, or ``--timeout 2s`` where helm has the flag) so
the tests are quick; the hostile answers would take far longer than the margins allowed.
"""
from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from repo.repo_support import pyhelm
from security.hostile import body, chart_yaml, drip, drip_headers, flood, index_yaml, redirect_loop, serving, tgz

BODY_DEADLINE = "context deadline exceeded (Client.Timeout or context cancellation while reading body)"
HEADERS_DEADLINE = "context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
SLOW = drip(40, 0.25)  # 10 s for the whole body


def _timed(*args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    result = pyhelm(*args)
    return result, time.monotonic() - started


def _cache_files(home: Path) -> list[Path]:
    return [p for p in (home / "cache").rglob("*") if p.is_file()] if (home / "cache").exists() else []


@pytest.mark.parametrize("command", ["pull", "repo add", "template -f"])
def test_a_body_dripping_slowly_stops_at_the_deadline(helm_home: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch, command: str) -> None:
    monkeypatch.setenv("PYHELM_DOWNLOAD_TIMEOUT", "2s")
    chart = tmp_path / "c"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_bytes(chart_yaml("c"))
    with serving({"*": SLOW}) as server:
        args, url, prefix = {
            "pull": (("pull", f"{server.url}/c-0.1.0.tgz", "-d", str(tmp_path)), f"{server.url}/c-0.1.0.tgz", ""),
            "repo add": (("repo", "add", "slow", server.url), f"{server.url}/index.yaml",
                         f'looks like "{server.url}" is not a valid chart repository or cannot be reached: '),
            "template -f": (("template", "x", str(chart), "-f", f"{server.url}/values.yaml"),
                            f"{server.url}/values.yaml", ""),
        }[command]
        result, elapsed = _timed(*args)
    assert (result.returncode, result.stderr) == (1, f'Error: {prefix}Get "{url}": {BODY_DEADLINE}\n')
    assert 1.5 < elapsed < 7, elapsed
    assert not list(tmp_path.glob("*.tgz")) and _cache_files(helm_home) == []


def test_a_dependency_dripping_slowly_stops_at_the_deadline(helm_home: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYHELM_DOWNLOAD_TIMEOUT", "2s")
    parent = tmp_path / "parent"
    (parent / "charts").mkdir(parents=True)
    listed = tgz([("c/Chart.yaml", chart_yaml("c"))])
    with serving({"/index.yaml": body(index_yaml("c", "0.1.0", listed, "c-0.1.0.tgz")), "*": SLOW}) as server:
        (parent / "Chart.yaml").write_text("apiVersion: v2\nname: parent\nversion: 1.0.0\ndependencies:\n- name: c\n"
                                           f"  version: 0.1.0\n  repository: {server.url}\n")
        result, elapsed = _timed("dependency", "update", str(parent))
    assert result.returncode == 1
    assert result.stderr == (f'Error: could not download {server.url}/c-0.1.0.tgz: Get "{server.url}/c-0.1.0.tgz": '
                             f"{BODY_DEADLINE}\n")
    assert 1.5 < elapsed < 7, elapsed
    assert list((parent / "charts").iterdir()) == [] and sorted(p.name for p in parent.iterdir()) == [
        "Chart.yaml", "charts"]


@pytest.mark.parametrize(("answer", "phrase"), [(SLOW, BODY_DEADLINE), (drip_headers(0.25), HEADERS_DEADLINE)])
def test_repo_add_timeout_bounds_the_whole_download_as_in_helm(helm_home: Path, helm: str, answer, phrase) -> None:
    with serving({"*": answer}) as server:
        result, elapsed = _timed("repo", "add", "slow", server.url, "--timeout", "2s")
        started = time.monotonic()
        theirs = subprocess.run([helm, "repo", "add", "slow", server.url, "--timeout", "2s"], capture_output=True,
                                text=True)
        helm_elapsed = time.monotonic() - started
    assert (result.returncode, theirs.returncode) == (1, 1)
    assert result.stderr.endswith(f"{phrase}\n") and theirs.stderr.endswith(f"{phrase}\n"), theirs.stderr
    assert 1.5 < elapsed < 7 and 1.5 < helm_elapsed < 7, (elapsed, helm_elapsed)
    assert not (helm_home / "config" / "repositories.yaml").exists()


@pytest.mark.parametrize(("setting", "value", "message"), [
    ("PYHELM_DOWNLOAD_TIMEOUT", "soon",
     'PYHELM_DOWNLOAD_TIMEOUT: time: invalid duration "soon": use a Go duration such as 90s or 2m'),
    ("PYHELM_MAX_ARCHIVE_BYTES", "1MB",
     'PYHELM_MAX_ARCHIVE_BYTES="1MB" is not valid: give the largest chart archive or provenance file to '
     "accept, in bytes (a whole number above 0)"),
])
def test_an_invalid_limit_setting_is_one_clear_error(helm_home: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch, setting: str, value: str,
                                                     message: str) -> None:
    monkeypatch.setenv(setting, value)
    archive = tgz([("c/Chart.yaml", chart_yaml("c"))])
    with serving({"/c-0.1.0.tgz": body(archive)}) as server:
        result = pyhelm("pull", f"{server.url}/c-0.1.0.tgz", "-d", str(tmp_path))
    assert (result.returncode, result.stderr) == (1, f"Error: {message}\n")


def test_an_endless_index_is_refused_at_its_cap(helm_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYHELM_MAX_INDEX_BYTES", "1000000")
    with serving({"/index.yaml": flood(50 * 1024 * 1024)}) as server:
        result = pyhelm("repo", "add", "big", server.url)
        time.sleep(0.5)  # let the server notice the hang-up
        sent = server.sent
    assert (result.returncode, result.stderr) == (
        1, f'Error: looks like "{server.url}" is not a valid chart repository or cannot be reached: Get '
           f'"{server.url}/index.yaml": the answer is larger than the 1000000-byte limit for a repository index '
           "or values file (PYHELM_MAX_INDEX_BYTES)\n")
    assert sent < 20 * 1024 * 1024, sent  # the client stopped reading; the rest was never sent
    assert not (helm_home / "config" / "repositories.yaml").exists() and _cache_files(helm_home) == []


def test_an_archive_larger_than_its_cap_is_refused_before_reading(helm_home: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYHELM_MAX_ARCHIVE_BYTES", "1000000")
    size = 50 * 1024 * 1024
    with serving({"/c-0.1.0.tgz": flood(size, length=size)}) as server:
        result = pyhelm("pull", f"{server.url}/c-0.1.0.tgz", "-d", str(helm_home))
    assert (result.returncode, result.stderr) == (
        1, f'Error: Get "{server.url}/c-0.1.0.tgz": the answer is {size} bytes, more than the 1000000-byte limit '
           "for a chart archive or provenance file (PYHELM_MAX_ARCHIVE_BYTES)\n")
    assert not list(helm_home.glob("*.tgz")) and _cache_files(helm_home) == []


def test_a_redirect_loop_stops_after_ten_requests_as_in_helm(helm_home: Path, tmp_path: Path, helm: str) -> None:
    with serving({"*": redirect_loop()}) as server:
        result = pyhelm("pull", f"{server.url}/c-0.1.0.tgz", "-d", str(tmp_path))
        ours = len(server.requests)
        server.requests.clear()
        theirs = subprocess.run([helm, "pull", f"{server.url}/c-0.1.0.tgz", "-d", str(tmp_path)],
                                capture_output=True, text=True)
    assert (result.returncode, result.stderr) == (1, f'Error: Get "{server.url}/hop10": stopped after 10 '
                                                     "redirects\n")
    assert theirs.returncode == 1 and theirs.stderr == 'Error: Get "/hop10": stopped after 10 redirects\n'
    assert ours == len(server.requests) == 10  # no retries


def test_the_body_of_a_redirect_is_never_read(helm_home: Path, tmp_path: Path) -> None:
    archive = tgz([("c/Chart.yaml", chart_yaml("c"))])
    huge = 50 * 1024 * 1024
    with serving({"/c-0.1.0.tgz": redirect_loop(body_size=huge), "*": body(archive)}) as server:
        result = pyhelm("pull", f"{server.url}/c-0.1.0.tgz", "-d", str(tmp_path))
        time.sleep(0.5)
        sent = server.sent - len(archive)
    assert (result.returncode, result.stderr) == (0, "")
    assert (tmp_path / "c-0.1.0.tgz").read_bytes() == archive
    assert sent < 20 * 1024 * 1024, sent


def test_repo_update_of_a_dripping_index_stops_at_the_deadline_and_keeps_the_old_index_as_in_helm(
        helm_home: Path, helm: str) -> None:
    listed = tgz([("c/Chart.yaml", chart_yaml("c"))])
    with serving({"/index.yaml": body(index_yaml("c", "0.1.0", listed, "c-0.1.0.tgz"))}) as server:
        assert pyhelm("repo", "add", "slow", server.url).returncode == 0
        cached = helm_home / "cache" / "repository" / "slow-index.yaml"
        before = cached.read_bytes()
        server.routes["/index.yaml"] = SLOW
        result, elapsed = _timed("repo", "update", "--timeout", "2s")
        started = time.monotonic()
        theirs = subprocess.run([helm, "repo", "update", "--timeout", "2s"], capture_output=True, text=True)
        helm_elapsed = time.monotonic() - started
    assert (result.returncode, theirs.returncode) == (1, 1)
    report = f'...Unable to get an update from the "slow" chart repository ({server.url}):\n\t'
    assert result.stdout.splitlines()[1:] == theirs.stdout.splitlines()[1:2] + [
        f'\tGet "{server.url}/index.yaml": {BODY_DEADLINE}']
    assert report + BODY_DEADLINE in theirs.stdout
    assert result.stderr == theirs.stderr == f"Error: failed to update the following repositories: [{server.url}]\n"
    assert 1.5 < elapsed < 7 and 1.5 < helm_elapsed < 7, (elapsed, helm_elapsed)
    assert cached.read_bytes() == before
