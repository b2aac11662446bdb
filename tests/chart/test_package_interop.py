"""Archives: pyhelm package writes what helm writes and reads; helm's archives load in pyhelm; create."""
from __future__ import annotations

import subprocess
import sys
import tarfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

from engine.chart.create import create_chart
from engine.chart.loader import load_chart
from engine.chart.package import package_chart

PARENT = HERE.parent / "render" / "charts" / "parent"


def listing(archive: Path) -> list[tuple[str, int, int]]:
    with tarfile.open(archive) as tar:
        return [(m.name, m.mode, m.size) for m in tar.getmembers()]


def test_package_layout_and_gzip_header(tmp_path: Path) -> None:
    archive = package_chart(PARENT, tmp_path)
    assert archive.name == "parent-1.2.3.tgz"
    raw = archive.read_bytes()
    assert raw[:4] == b"\x1f\x8b\x08\x14" and b"+aHR0cHM6Ly95b3V0dS5iZS96OVV6MWljandyTQo=Helm\x00" in raw[:80]
    names = [name for name, mode, _ in listing(archive)]
    assert names[:3] == ["parent/Chart.yaml", "parent/values.yaml", "parent/templates/NOTES.txt"]
    assert "parent/charts/child/Chart.yaml" in names and all(mode == 0o644 for _, mode, _ in listing(archive))


def test_package_round_trip_renders_the_same(tmp_path: Path) -> None:
    archive = package_chart(PARENT, tmp_path, version="2.0.0", app_version="9.9")
    loaded = load_chart(archive)
    assert (loaded.metadata.version, loaded.metadata.app_version) == ("2.0.0", "9.9")
    assert sorted(s.name for s in loaded.subcharts) == ["child", "conditional", "lib", "tagged"]


def test_create_writes_helms_starter_chart(tmp_path: Path) -> None:
    chart_dir = create_chart("web", tmp_path)
    chart = load_chart(chart_dir)
    assert chart.name == "web" and (chart_dir / ".helmignore").exists() and (chart_dir / "charts").is_dir()
    assert {t.name for t in chart.templates} >= {"templates/deployment.yaml", "templates/_helpers.tpl",
                                                 "templates/tests/test-connection.yaml"}



def test_helm_and_pyhelm_archives_are_interchangeable(tmp_path: Path, helm: str) -> None:
    ours = package_chart(PARENT, tmp_path / "ours")
    subprocess.run([helm, "package", str(PARENT), "-d", str(tmp_path / "theirs")], check=True, capture_output=True)
    theirs = tmp_path / "theirs" / "parent-1.2.3.tgz"
    # helm writes subcharts in Go map order (random); the set of entries and their modes must agree
    assert sorted((n, m) for n, m, _ in listing(ours)) == sorted((n, m) for n, m, _ in listing(theirs))
    render = [helm, "template", "rel", "-n", "ns"]
    helm_on_ours = subprocess.run([*render, str(ours)], capture_output=True, text=True, check=True).stdout
    helm_on_theirs = subprocess.run([*render, str(theirs)], capture_output=True, text=True, check=True).stdout
    pyhelm_on_theirs = subprocess.run([sys.executable, "-m", "engine.cli.main", "template", "rel", "-n", "ns",
                                       str(theirs)], capture_output=True, text=True, check=True).stdout
    assert helm_on_ours == helm_on_theirs == pyhelm_on_theirs


def test_create_matches_helm_create(tmp_path: Path, helm: str) -> None:
    (tmp_path / "ours").mkdir()
    create_chart("web", tmp_path / "ours")
    (tmp_path / "theirs").mkdir()
    subprocess.run([helm, "create", str(tmp_path / "theirs" / "web")], check=True, capture_output=True)
    ours = {p.relative_to(tmp_path / "ours"): p.read_bytes() for p in (tmp_path / "ours").rglob("*") if p.is_file()}
    theirs = {p.relative_to(tmp_path / "theirs"): p.read_bytes() for p in (tmp_path / "theirs").rglob("*")
              if p.is_file()}
    assert ours == theirs
