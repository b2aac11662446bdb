"""Charts in an OCI registry: pyhelm and helm push, pull and log in interchangeably."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from repo.repo_support import package_demo, pyhelm

from engine.registry.client import RegistryClient


def _helm(helm: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([helm, *args], capture_output=True, text=True, input=stdin, env=os.environ.copy())


def _manifest(host: str, repository: str, tag: str) -> dict:
    return json.loads(RegistryClient(host, plain_http=True).manifest(repository, tag)[0])


def test_push_and_pull_round_trip(registry, helm_home, tmp_path) -> None:
    archive = package_demo(tmp_path, "0.3.0")
    pushed = pyhelm("push", str(archive), f"oci://{registry}/charts", "--plain-http")
    assert pushed.returncode == 0, pushed.stderr
    assert pushed.stdout.startswith(f"Pushed: {registry}/charts/demo:0.3.0\nDigest: sha256:")
    package_demo(tmp_path / "v2", "0.4.0-rc.1")
    assert pyhelm("push", str(tmp_path / "v2" / "demo-0.4.0-rc.1.tgz"), f"oci://{registry}/charts",
                  "--plain-http").returncode == 0
    out = tmp_path / "out"
    out.mkdir()
    pulled = pyhelm("pull", f"oci://{registry}/charts/demo", "--version", "^0.3", "--plain-http", "-d", str(out))
    assert pulled.returncode == 0, pulled.stderr
    assert pulled.stdout.startswith(f"Pulled: {registry}/charts/demo:0.3.0\nDigest: sha256:")
    assert (out / "demo-0.3.0.tgz").read_bytes() == archive.read_bytes()
    missing = pyhelm("pull", f"oci://{registry}/charts/demo", "--version", "9.x", "--plain-http", "-d", str(out))
    assert missing.returncode == 1 and "could not locate a version matching" in missing.stderr


def test_helm_and_pyhelm_push_the_same_artifact(registry, helm_home, helm, tmp_path) -> None:
    archive = package_demo(tmp_path, "0.3.0")
    assert pyhelm("push", str(archive), f"oci://{registry}/ours", "--plain-http").returncode == 0
    assert _helm(helm, "push", str(archive), f"oci://{registry}/theirs", "--plain-http").returncode == 0
    ours, theirs = _manifest(registry, "ours/demo", "0.3.0"), _manifest(registry, "theirs/demo", "0.3.0")
    for manifest in (ours, theirs):
        manifest["annotations"].pop("org.opencontainers.image.created")
    assert ours == theirs
    client = RegistryClient(registry, plain_http=True)
    assert client.blob("ours/demo", ours["config"]["digest"]) == client.blob("theirs/demo", theirs["config"]["digest"])


def test_each_pulls_what_the_other_pushed(registry, helm_home, helm, tmp_path) -> None:
    archive = package_demo(tmp_path, "0.3.0")
    assert pyhelm("push", str(archive), f"oci://{registry}/ours", "--plain-http").returncode == 0
    assert _helm(helm, "push", str(archive), f"oci://{registry}/theirs", "--plain-http").returncode == 0
    for source, tool in (("ours", "helm"), ("theirs", "pyhelm")):
        out = tmp_path / f"{tool}-pulled"
        out.mkdir()
        args = ("pull", f"oci://{registry}/{source}/demo", "--version", "0.3.0", "--plain-http", "-d", str(out))
        result = _helm(helm, *args) if tool == "helm" else pyhelm(*args)
        assert result.returncode == 0, result.stderr
        assert (out / "demo-0.3.0.tgz").read_bytes() == archive.read_bytes()
    rendered = pyhelm("template", "web", f"oci://{registry}/theirs/demo", "--version", "0.3.0", "--plain-http")
    assert rendered.returncode == 0 and "kind: Deployment" in rendered.stdout


def test_logins_are_shared_with_helm(secured_registry, helm_home, helm, tmp_path) -> None:
    archive = package_demo(tmp_path, "0.3.0")
    refused = pyhelm("push", str(archive), f"oci://{secured_registry}/charts", "--plain-http")
    assert refused.returncode == 1 and "unauthorized" in refused.stderr
    bad = pyhelm("registry", "login", secured_registry, "-u", "ci", "-p", "wrong", "--plain-http")
    assert bad.returncode == 1
    login = pyhelm("registry", "login", secured_registry, "-u", "ci", "--password-stdin", "--plain-http",
                   stdin="s3cret\n")
    assert login.returncode == 0 and login.stdout == "Login Succeeded\n"
    assert pyhelm("push", str(archive), f"oci://{secured_registry}/charts", "--plain-http").returncode == 0
    out = tmp_path / "pulled"
    out.mkdir()
    assert _helm(helm, "pull", f"oci://{secured_registry}/charts/demo", "--version", "0.3.0", "--plain-http",
                 "-d", str(out)).returncode == 0
    assert pyhelm("registry", "logout", secured_registry).stdout == f"Removing login credentials for {secured_registry}\n"
    assert _helm(helm, "registry", "login", secured_registry, "-u", "ci", "-p", "s3cret",
                 "--plain-http").returncode == 0
    again = pyhelm("pull", f"oci://{secured_registry}/charts/demo", "--version", "0.3.0", "--plain-http", "-d",
                   str(tmp_path))
    assert again.returncode == 0, again.stderr
    assert Path(tmp_path / "demo-0.3.0.tgz").exists()


def test_a_stack_installs_charts_from_its_oci_repository(registry, helm_home, tmp_path, monkeypatch) -> None:
    from engine.sandbox import Sandbox

    assert pyhelm("push", str(package_demo(tmp_path, "0.3.0")), f"oci://{registry}/charts",
                  "--plain-http").returncode == 0
    stack = tmp_path / "stack.yaml"
    stack.write_text(f"apiVersion: pyhelm/v1\nname: oci\nrepositories:\n  - name: charts\n"
                     f"    url: oci://{registry}/charts\n    plainHttp: true\nreleases:\n  - name: web\n"
                     f"    chart: charts/demo\n    version: ~0.3.0\n  - name: api\n"
                     f"    chart: oci://{registry}/charts/demo\n    version: 0.3.0\n")
    with Sandbox() as sandbox:
        monkeypatch.setenv("KUBECONFIG", str(sandbox.write_kubeconfig(tmp_path / "kubeconfig")))
        applied = pyhelm("apply", "-f", str(stack), "--auto-approve")
        assert applied.returncode == 0, applied.stdout + applied.stderr
        listed = json.loads(pyhelm("list", "-o", "json").stdout)
        assert sorted((r["name"], r["chart"]) for r in listed) == [("api", "demo-0.3.0"), ("web", "demo-0.3.0")]


def test_dependencies_from_a_registry_lock_like_helm(registry, helm_home, helm, tmp_path) -> None:
    for version in ("0.3.0", "0.4.0"):
        assert pyhelm("push", str(package_demo(tmp_path / version, version)), f"oci://{registry}/deps",
                      "--plain-http").returncode == 0
    locks = {}
    for tool in ("pyhelm", "helm"):
        parent = tmp_path / tool / "parent"
        (parent / "templates").mkdir(parents=True)
        (parent / "Chart.yaml").write_text(
            "apiVersion: v2\nname: parent\nversion: 1.0.0\ndependencies:\n  - name: demo\n    version: ~0.3.0\n"
            f"    repository: oci://{registry}/deps\n")
        args = ("dependency", "update", str(parent), "--plain-http")
        result = pyhelm(*args) if tool == "pyhelm" else _helm(helm, *args)
        assert result.returncode == 0, result.stdout + result.stderr
        assert [p.name for p in (parent / "charts").iterdir()] == ["demo-0.3.0.tgz"]
        lock = (parent / "Chart.lock").read_text()
        locks[tool] = [line for line in lock.splitlines() if not line.startswith("generated:")]
    assert locks["pyhelm"] == locks["helm"]
    build = pyhelm("dependency", "build", str(tmp_path / "helm" / "parent"), "--plain-http")
    assert build.returncode == 0, build.stderr


def test_signed_charts_carry_their_provenance_through_the_registry(gpg, registry, helm_home, tmp_path) -> None:
    from provenance.test_signing import DEMO, _keypair

    public, secret = _keypair(tmp_path, "Signer")
    assert pyhelm("package", str(DEMO), "-d", str(tmp_path), "--sign", "--key", "Signer", "--keyring",
                  str(secret)).returncode == 0
    assert pyhelm("push", str(tmp_path / "demo-0.3.0.tgz"), f"oci://{registry}/signed", "--plain-http").returncode == 0
    layers = {layer["mediaType"] for layer in _manifest(registry, "signed/demo", "0.3.0")["layers"]}
    assert layers == {"application/vnd.cncf.helm.chart.content.v1.tar+gzip",
                      "application/vnd.cncf.helm.chart.provenance.v1.prov"}
    rendered = pyhelm("template", "web", f"oci://{registry}/signed/demo", "--version", "0.3.0", "--plain-http",
                      "--verify", "--keyring", str(public))
    assert rendered.returncode == 0, rendered.stderr
    stranger, _ = _keypair(tmp_path, "Stranger")
    refused = pyhelm("template", "web", f"oci://{registry}/signed/demo", "--version", "0.3.0", "--plain-http",
                     "--verify", "--keyring", str(stranger))
    assert refused.returncode == 1 and "verification of demo-0.3.0.tgz failed" in refused.stderr
