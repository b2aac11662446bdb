"""repo add/list/update/remove and search repo against a repository served on 127.0.0.1."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import yaml

from repo_server import RepoServer
from repo_support import ROOT, pyhelm


def config(home: Path) -> dict:
    return yaml.safe_load((home / "config" / "repositories.yaml").read_text())


def cache_files(home: Path) -> list[str]:
    root = home / "cache" / "repository"
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


def test_add_list_update_remove_round_trip(helm_home: Path, demo_repo: RepoServer) -> None:
    added = pyhelm("repo", "add", "stable", demo_repo.url)
    assert (added.returncode, added.stdout) == (0, '"stable" has been added to your repositories\n')
    path = helm_home / "config" / "repositories.yaml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert config(helm_home)["repositories"][0]["url"] == demo_repo.url
    assert cache_files(helm_home) == ["stable-charts.txt", "stable-index.yaml"]
    assert (helm_home / "cache" / "repository" / "stable-charts.txt").read_text() == "demo\n"

    listed = pyhelm("repo", "list")
    assert listed.stdout.splitlines() == ["NAME  \tURL" + " " * (len(demo_repo.url) - 3),
                                          f"stable\t{demo_repo.url}"]
    assert json.loads(pyhelm("repo", "ls", "-o", "json").stdout) == [{"name": "stable", "url": demo_repo.url}]

    updated = pyhelm("repo", "update")
    assert updated.returncode == 0
    assert updated.stdout == ("Hang tight while we grab the latest from your chart repositories...\n"
                              '...Successfully got an update from the "stable" chart repository\n'
                              "Update Complete. ⎈Happy Helming!⎈\n")

    removed = pyhelm("repo", "remove", "stable")
    assert removed.stdout == '"stable" has been removed from your repositories\n'
    assert config(helm_home)["repositories"] == [] and cache_files(helm_home) == []
    assert pyhelm("repo", "list").stderr == "no repositories to show\n"


def test_add_is_idempotent_and_refuses_conflicts(helm_home: Path, demo_repo: RepoServer) -> None:
    assert pyhelm("repo", "add", "stable", demo_repo.url).returncode == 0
    again = pyhelm("repo", "add", "stable", demo_repo.url)
    assert again.stdout == '"stable" already exists with the same configuration, skipping\n'
    other = pyhelm("repo", "add", "stable", demo_repo.url + "/other")
    assert (other.returncode, other.stderr) == (
        1, "Error: repository name (stable) already exists, please specify a different name\n")
    forced = pyhelm("repo", "add", "stable", demo_repo.url + "/", "--force-update")
    assert forced.returncode == 0 and config(helm_home)["repositories"][0]["url"] == demo_repo.url + "/"
    slash = pyhelm("repo", "add", "a/b", demo_repo.url)
    assert "contains '/'" in slash.stderr and slash.returncode == 1


def test_failed_adds_leave_nothing_written(helm_home: Path, demo_repo: RepoServer) -> None:
    (demo_repo.root / "bad").mkdir()
    (demo_repo.root / "bad" / "index.yaml").write_text("apiVersion: v1\nentries:\n  demo: [ {bogus: 1} ]\n")
    cases = {
        "missing": (demo_repo.url + "/nowhere", ": failed to fetch " + demo_repo.url
                    + "/nowhere/index.yaml : 404 File not found"),
        "malformed": (demo_repo.url + "/bad", ': error unmarshaling JSON: while decoding JSON: json: unknown '
                      'field "bogus"'),
        "unreachable": ("http://127.0.0.1:1", ': Get "http://127.0.0.1:1/index.yaml": connection refused'),
    }
    for name, (url, reason) in cases.items():
        result = pyhelm("repo", "add", name, url)
        assert result.returncode == 1
        assert result.stderr == (f'Error: looks like "{url}" is not a valid chart repository or cannot be '
                                 f"reached{reason}\n")
        assert "Traceback" not in result.stderr
    assert not (helm_home / "config" / "repositories.yaml").exists()
    assert cache_files(helm_home) == []


def test_basic_auth_and_server_errors_are_retried(helm_home: Path, demo_repo: RepoServer) -> None:
    demo_repo.auth = ("alice", "s3cret")
    refused = pyhelm("repo", "add", "private", demo_repo.url)
    assert "401 Unauthorized" in refused.stderr and refused.returncode == 1
    demo_repo.fail["/index.yaml"] = [503, 502]
    added = pyhelm("repo", "add", "private", demo_repo.url, "--username", "alice", "--password-stdin",
                   stdin="s3cret\n")
    assert added.returncode == 0, added.stderr
    assert demo_repo.requests.count("/index.yaml") == 4  # one refused, two 5xx retried, one served
    entry = config(helm_home)["repositories"][0]
    assert (entry["username"], entry["password"]) == ("alice", "s3cret")
    assert pyhelm("pull", "private/demo", "-d", str(helm_home)).returncode == 0  # credentials reach downloads


def test_update_keeps_the_last_good_index_when_the_repository_breaks(helm_home: Path,
                                                                     demo_repo: RepoServer) -> None:
    assert pyhelm("repo", "add", "stable", demo_repo.url).returncode == 0
    cached = (helm_home / "cache" / "repository" / "stable-index.yaml").read_bytes()
    (demo_repo.root / "index.yaml").write_text("")
    result = pyhelm("repo", "update", "stable")
    assert result.returncode == 1
    assert ('...Unable to get an update from the "stable" chart repository (' + demo_repo.url + "):\n\t"
            "empty index.yaml file\n") in result.stdout
    assert result.stderr == f"Error: failed to update the following repositories: [{demo_repo.url}]\n"
    assert (helm_home / "cache" / "repository" / "stable-index.yaml").read_bytes() == cached
    unknown = pyhelm("repo", "update", "nope")
    assert unknown.stderr == "Error: no repositories found matching 'nope'.  Nothing will be updated\n"


def test_remove_and_update_without_repositories(helm_home: Path) -> None:
    assert pyhelm("repo", "remove", "x").stderr == "Error: no repositories configured\n"
    assert pyhelm("repo", "update").stderr == ("Error: no repositories found. You must add one before "
                                              "updating\n")
    assert pyhelm("search", "repo", "x").stderr == "Error: no repositories configured\n"


def search(*args: str) -> list[tuple[str, str]]:
    result = pyhelm("search", "repo", *args, "-o", "json")
    assert result.returncode == 0, result.stderr
    return [(row["name"], row["version"]) for row in json.loads(result.stdout)]


def test_search_versions_devel_constraints_and_regexp(helm_home: Path, demo_repo: RepoServer) -> None:
    assert pyhelm("repo", "add", "stable", demo_repo.url).returncode == 0
    assert search("demo") == [("stable/demo", "0.3.0")]
    assert search("demo", "--devel") == [("stable/demo", "1.0.0-rc.1")]
    assert search("-l") == [("stable/demo", "0.3.0"), ("stable/demo", "0.2.0"), ("stable/demo", "0.1.0")]
    assert search("--version", "^0.1") == [("stable/demo", "0.1.0")]
    assert search("-r", "d.m[aeiou]") == [("stable/demo", "0.3.0")]
    assert search("QUICK START") == [("stable/demo", "0.3.0")]  # descriptions match, case-insensitively
    assert search("nothing-like-this") == []
    table = pyhelm("search", "repo", "demo")
    assert table.stdout.splitlines()[1].startswith("stable/demo\t0.3.0        \t1.27.0     \tA small web")
    assert pyhelm("search", "repo", "zzz").stdout == "No results found\n"
    bad = pyhelm("search", "repo", "--version", "nonsense")
    assert bad.stderr == "Error: an invalid version/constraint format: improper constraint: nonsense\n"


def test_repository_commands_never_import_the_kubernetes_client(helm_home: Path, demo_repo: RepoServer) -> None:
    script = ("import sys\nfrom engine.cli.main import main\n"
              f"for args in (['repo', 'add', 's', '{demo_repo.url}'], ['search', 'repo', 'demo'], "
              f"['pull', 's/demo', '-d', '{helm_home}'], ['repo', 'update']):\n"
              "    assert main(args) == 0, args\n"
              "print(sorted(m for m in sys.modules if m.split('.')[0] == 'kubernetes'))\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"


def test_timeouts_end_slow_downloads_with_an_error(helm_home: Path, demo_repo: RepoServer) -> None:
    demo_repo.delay = 1.0
    result = pyhelm("repo", "add", "slow", demo_repo.url, "--timeout", "100ms")
    assert result.returncode == 1
    assert result.stderr.startswith(f'Error: looks like "{demo_repo.url}" is not a valid chart repository or '
                                    f'cannot be reached: Get "{demo_repo.url}/index.yaml": ')
    assert result.stderr.endswith("context deadline exceeded (Client.Timeout exceeded while awaiting headers)\n")
    assert not (helm_home / "config" / "repositories.yaml").exists()
    bad = pyhelm("repo", "add", "slow", demo_repo.url, "--timeout", "soon")
    assert bad.stderr == 'Error: invalid argument "soon" for "--timeout" flag: time: invalid duration "soon"\n'


def test_concurrent_adds_keep_every_repository(helm_home: Path, demo_repo: RepoServer) -> None:
    script = ("import sys\nfrom engine.cli.main import main\n"
              f"sys.exit(main(['repo', 'add', sys.argv[1], '{demo_repo.url}']))\n")
    children = [subprocess.Popen([sys.executable, "-c", script, f"r{i}"], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT)})
                for i in range(6)]
    assert all(child.wait() == 0 for child in children)
    assert sorted(r["name"] for r in config(helm_home)["repositories"]) == [f"r{i}" for i in range(6)]


def test_repository_path_flags_override_the_environment(tmp_path: Path, helm_home: Path,
                                                         demo_repo: RepoServer) -> None:
    flags = ["--repository-config", str(tmp_path / "elsewhere.yaml"), "--repository-cache", str(tmp_path / "idx"),
             "--content-cache", str(tmp_path / "content")]
    assert pyhelm("repo", "add", "stable", demo_repo.url, *flags).returncode == 0
    assert (tmp_path / "elsewhere.yaml").exists() and (tmp_path / "idx" / "stable-index.yaml").exists()
    assert not (helm_home / "config" / "repositories.yaml").exists()
    assert search("demo", *flags) == [("stable/demo", "0.3.0")]
    assert pyhelm("search", "repo", "demo").stderr == "Error: no repositories configured\n"
    assert pyhelm("pull", "stable/demo", "-d", str(tmp_path), *flags).returncode == 0
    assert len(list((tmp_path / "content").rglob("*.chart"))) == 1
