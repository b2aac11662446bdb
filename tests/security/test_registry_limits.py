"""Pulls from a hostile OCI registry: declared layer sizes checked while streaming, blobs never held in
memory, manifests and blobs within their caps, one deadline per call; compared with helm where it decides."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from repo.repo_support import ROOT, pyhelm
from security.hostile import (CHART_LAYER, CONFIG, Hostile, body, chart_yaml, cut_short, digest, drip, flood,
                             redirect_loop, registry_routes, serving, tgz)

CHART = tgz([("demo/Chart.yaml", chart_yaml("demo")), ("demo/templates/cm.yaml", b"kind: ConfigMap\n")])
BLOB_PATH = f"/v2/charts/demo/blobs/{digest(CHART)}"
MANIFEST_PATH = "/v2/charts/demo/manifests/0.1.0"
MIB = 1024 * 1024


def _pull(server: Hostile, dest: Path) -> list[str]:
    return ["pull", f"oci://{server.host}/charts/demo", "--version", "0.1.0", "--plain-http", "-d", str(dest)]


def _helm(helm: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([helm, *args], capture_output=True, text=True)


def _nothing_kept(home: Path, *dests: Path) -> bool:
    cached = [p for p in (home / "cache").rglob("*") if p.is_file()] if (home / "cache").exists() else []
    return cached == [] and all(not any(d.iterdir()) for d in dests)


@pytest.fixture
def dests(tmp_path: Path) -> tuple[Path, Path]:
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    ours.mkdir()
    theirs.mkdir()
    return ours, theirs


@pytest.mark.parametrize("declared", [len(CHART) + 100, len(CHART) - 100])
def test_a_layer_whose_declared_size_differs_from_the_blob_is_refused_as_by_helm(
        helm_home: Path, helm: str, dests: tuple[Path, Path], declared: int) -> None:
    ours, theirs = dests
    with serving(registry_routes("charts/demo", "0.1.0", CHART, declared_size=declared)) as server:
        result = pyhelm(*_pull(server, ours))
        helm_result = _helm(helm, *_pull(server, theirs))
    assert (result.returncode, result.stderr) == (
        1, f'Error: Get "{server.url}{BLOB_PATH}": mismatch Content-Length: expected {declared} bytes, the '
           f"answer's Content-Length is {len(CHART)}\n")
    assert helm_result.returncode == 1 and "mismatch Content-Length" in helm_result.stderr
    assert _nothing_kept(helm_home, ours, theirs)


def test_a_blob_shorter_than_declared_without_a_length_is_refused_as_by_helm(
        helm_home: Path, helm: str, dests: tuple[Path, Path]) -> None:
    ours, theirs = dests
    declared = len(CHART) + 100
    routes = registry_routes("charts/demo", "0.1.0", CHART, declared_size=declared,
                             chart_blob=body(CHART, length=None))
    with serving(routes) as server:
        result = pyhelm(*_pull(server, ours))
        helm_result = _helm(helm, *_pull(server, theirs))
    assert (result.returncode, result.stderr) == (
        1, f'Error: Get "{server.url}{BLOB_PATH}": expected content size of {declared}, got {len(CHART)}\n')
    assert helm_result.returncode == 1
    assert f"expected content size of {declared}, got {len(CHART)}" in helm_result.stderr
    assert _nothing_kept(helm_home, ours, theirs)


def test_a_blob_cut_short_is_one_clear_error(helm_home: Path, helm: str, dests: tuple[Path, Path]) -> None:
    ours, theirs = dests
    declared = len(CHART) + 100
    routes = registry_routes("charts/demo", "0.1.0", CHART, declared_size=declared,
                             chart_blob=cut_short(CHART, declared))
    with serving(routes) as server:
        result = pyhelm(*_pull(server, ours))
        helm_result = _helm(helm, *_pull(server, theirs))
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: {server.host}: registry unreachable: ")
    assert "IncompleteRead" in result.stderr and result.stderr.count("\n") == 1
    assert helm_result.returncode == 1 and "unexpected EOF" in helm_result.stderr
    assert _nothing_kept(helm_home, ours, theirs)


def test_a_layer_whose_digest_is_a_path_is_refused_before_anything_is_fetched(
        helm_home: Path, dests: tuple[Path, Path]) -> None:
    routes = registry_routes("charts/demo", "0.1.0", CHART)
    with serving(routes) as server:
        forged = json.dumps({"schemaVersion": 2, "config": {"mediaType": CONFIG, "digest": digest(b"{}"), "size": 2},
                             "layers": [{"mediaType": CHART_LAYER, "digest": "sha256:../../../escaped",
                                         "size": len(CHART)}]}).encode()
        routes[MANIFEST_PATH] = body(forged)
        result = pyhelm(*_pull(server, dests[0]))
    assert (result.returncode, result.stderr) == (
        1, f"Error: {server.host}/charts/demo: the manifest's chart layer needs a sha256, sha384 or sha512 "
           "digest and a size in bytes\n")
    assert [p for p in server.requests if "/blobs/" in p] == []
    assert _nothing_kept(helm_home, dests[0])


def test_a_layer_declared_beyond_the_blob_cap_is_refused_before_it_is_fetched(
        helm_home: Path, helm: str, dests: tuple[Path, Path]) -> None:
    ours, theirs = dests
    with serving(registry_routes("charts/demo", "0.1.0", CHART, declared_size=2 * 1024 * MIB)) as server:
        result = pyhelm(*_pull(server, ours))
        ours_requested = list(server.requests)
        helm_result = _helm(helm, *_pull(server, theirs))
    assert (result.returncode, result.stderr) == (
        1, f"Error: {server.host}/charts/demo: blob {digest(CHART)}: the manifest declares 2147483648 bytes, more "
           "than the 134217728-byte limit for a registry blob (PYHELM_MAX_BLOB_BYTES)\n")
    assert BLOB_PATH not in ours_requested
    assert helm_result.returncode == 1 and "mismatch Content-Length" in helm_result.stderr
    assert _nothing_kept(helm_home, ours, theirs)


PEAK_MEMORY = ("import sys\nfrom engine.cli.main import main\nstatus = main(sys.argv[1:])\n"
               "peak = next(line for line in open('/proc/self/status') if line.startswith('VmHWM:'))\n"
               "print(int(peak.split()[1]) * 1024)\nsys.exit(status)\n")


def _measured(args: list[str]) -> tuple[int, str, int]:
    """Run pyhelm in a child process: its exit status, stderr and peak resident memory in bytes (VmHWM: the
    child's own, unlike ru_maxrss, which may carry the parent's from before exec)."""
    child = subprocess.run([sys.executable, "-c", PEAK_MEMORY, *args], capture_output=True, text=True,
                           env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT)
    return child.returncode, child.stderr, int(child.stdout.splitlines()[-1])


@pytest.mark.parametrize("length", [None, 200 * MIB])
def test_a_blob_streaming_far_beyond_its_declared_size_is_cut_off_at_once(
        helm_home: Path, helm: str, dests: tuple[Path, Path], length: int | None) -> None:
    ours, theirs = dests
    routes = registry_routes("charts/demo", "0.1.0", CHART, chart_blob=flood(200 * MIB, length=length))
    with serving(routes) as server:
        status, stderr, peak = _measured(_pull(server, ours))
        time.sleep(0.5)  # let the server notice the hang-up
        sent = server.sent
        helm_result = _helm(helm, *_pull(server, theirs))
    where = f'Error: Get "{server.url}{BLOB_PATH}": '
    expected = (f"{where}trailing data: more than the {len(CHART)} bytes expected\n" if length is None else
                f"{where}mismatch Content-Length: expected {len(CHART)} bytes, the answer's Content-Length is "
                f"{length}\n")
    assert (status, stderr) == (1, expected)
    assert peak < 120 * MIB, peak  # reading the blob into memory would take 200 MiB and more
    assert sent < 40 * MIB, sent
    assert helm_result.returncode == 1
    assert _nothing_kept(helm_home, ours, theirs)


def test_a_manifest_beyond_its_cap_is_refused_as_by_helm(helm_home: Path, helm: str,
                                                         dests: tuple[Path, Path]) -> None:
    ours, theirs = dests
    with serving(registry_routes("charts/demo", "0.1.0", CHART, padding=5 * MIB)) as server:
        result = pyhelm(*_pull(server, ours))
        ours_requested = list(server.requests)
        helm_result = _helm(helm, *_pull(server, theirs))
    assert result.returncode == 1
    assert result.stderr.startswith(f'Error: Get "{server.url}{MANIFEST_PATH}": the answer is ')
    assert result.stderr.endswith("bytes, more than the 4194304-byte limit for a manifest or registry API answer "
                                  "(PYHELM_MAX_MANIFEST_BYTES)\n")
    assert BLOB_PATH not in ours_requested
    assert helm_result.returncode == 1 and "exceeds" in helm_result.stderr and "4194304" in helm_result.stderr
    assert _nothing_kept(helm_home, ours, theirs)


def test_the_blob_cap_can_be_lowered(helm_home: Path, dests: tuple[Path, Path],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYHELM_MAX_BLOB_BYTES", str(len(CHART) - 1))
    with serving(registry_routes("charts/demo", "0.1.0", CHART)) as server:
        result = pyhelm(*_pull(server, dests[0]))
    assert (result.returncode, result.stderr) == (
        1, f"Error: {server.host}/charts/demo: blob {digest(CHART)}: the manifest declares {len(CHART)} bytes, "
           f"more than the {len(CHART) - 1}-byte limit for a registry blob (PYHELM_MAX_BLOB_BYTES)\n")
    assert _nothing_kept(helm_home, dests[0])
    monkeypatch.setenv("PYHELM_MAX_BLOB_BYTES", str(len(CHART)))
    with serving(registry_routes("charts/demo", "0.1.0", CHART)) as server:
        assert pyhelm(*_pull(server, dests[0])).returncode == 0
    assert (dests[0] / "demo-0.1.0.tgz").read_bytes() == CHART


def test_a_blob_redirect_loop_stops_after_ten_requests_without_retries_as_in_helm(
        helm_home: Path, helm: str, dests: tuple[Path, Path]) -> None:
    ours, theirs = dests
    routes = {**registry_routes("charts/demo", "0.1.0", CHART), BLOB_PATH: redirect_loop(), "*": redirect_loop()}
    with serving(routes) as server:
        result = pyhelm(*_pull(server, ours))
        our_chain = [p for p in server.requests if p == BLOB_PATH or p.startswith("/hop")]
        server.requests.clear()
        helm_result = _helm(helm, *_pull(server, theirs))
        helm_chain = [p for p in server.requests if p == BLOB_PATH or p.startswith("/hop")]
    assert result.returncode == 1
    assert re.fullmatch(rf'Error: Get "{server.url}/hop\d+": stopped after 10 redirects\n', result.stderr)
    assert helm_result.returncode == 1 and "stopped after 10 redirects" in helm_result.stderr
    assert len(our_chain) == len(helm_chain) == 10
    assert _nothing_kept(helm_home, ours, theirs)


@pytest.mark.parametrize("slow", [BLOB_PATH, MANIFEST_PATH], ids=["blob", "manifest"])
def test_a_dripping_registry_answer_stops_at_the_deadline(helm_home: Path, dests: tuple[Path, Path],
                                                          monkeypatch: pytest.MonkeyPatch, slow: str) -> None:
    monkeypatch.setenv("PYHELM_DOWNLOAD_TIMEOUT", "2s")
    routes = {**registry_routes("charts/demo", "0.1.0", CHART, declared_size=40), slow: drip(40, 0.25)}
    with serving(routes) as server:
        started = time.monotonic()
        result = pyhelm(*_pull(server, dests[0]))
        elapsed = time.monotonic() - started
    assert (result.returncode, result.stderr) == (
        1, f'Error: Get "{server.url}{slow}": context deadline exceeded (Client.Timeout or context cancellation '
           "while reading body)\n")
    assert 1.5 < elapsed < 7, elapsed
    assert server.requests[-1] == slow  # nothing asked after the answer that ran out of time
    assert _nothing_kept(helm_home, dests[0])
