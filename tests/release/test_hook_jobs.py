"""Job hooks: helm waits for each to complete or fail, a failed one fails the release (the later hooks never
run), and the delete policies (hook-succeeded, hook-failed) decide which Jobs stay — pyhelm must leave what
helm leaves and record the same hook phases.

A stand-in Job controller on the sandbox completes every Job but those named ``*-fails``, which it fails
(BackoffLimitExceeded), as the real one does when a Job's pods keep failing."""
from __future__ import annotations

import contextlib
import os
import threading

from release_records import PYHELM, record, run, write_chart

from engine.sandbox import Sandbox

JOBS = "batch", "jobs"
JOB = """apiVersion: batch/v1
kind: Job
metadata:
  name: {name}
  annotations:
    helm.sh/hook: {event}
    helm.sh/hook-delete-policy: {policy}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{{name: main, image: busybox}}]
"""
HOOKS = {"pre.yaml": JOB.format(name="pre-completes", event="pre-install", policy="hook-succeeded"),
         "kept.yaml": JOB.format(name="kept-completes", event="pre-install", policy="hook-failed"),
         "post.yaml": JOB.format(name="post-fails", event="post-install", policy="hook-failed"),
         "failed-kept.yaml": JOB.format(name="post-fails-kept", event="post-install", policy="hook-succeeded")}


def _finished_status(name: str) -> dict:
    kind, reason = ("Failed", "BackoffLimitExceeded") if "fails" in name else ("Complete", "CompletionsReached")
    conditions = [{"type": "FailureTarget" if kind == "Failed" else "SuccessCriteriaMet", "status": "True",
                   "reason": reason}, {"type": kind, "status": "True", "reason": reason}]
    return {"conditions": [{"type": "Suspended", "status": "False"}, *conditions],
            "failed" if kind == "Failed" else "succeeded": 1}


@contextlib.contextmanager
def job_controller(sandbox: Sandbox):
    """Finish every Job the sandbox stores (watching its changes) until the block ends."""
    store, stop = sandbox.store, threading.Event()

    def finish_jobs() -> None:
        while not stop.is_set():
            with store.changed:
                for job in store.items(JOBS, None):
                    if not job.get("status"):
                        job["status"] = _finished_status(job["metadata"]["name"])
                        job["metadata"]["resourceVersion"] = str(store.next_rv())
                        store.put(JOBS, job["metadata"]["namespace"], job["metadata"]["name"], job, "MODIFIED")
                store.changed.wait(timeout=0.5)

    thread = threading.Thread(target=finish_jobs, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def test_a_failing_job_hook_fails_the_install_and_policies_pick_the_jobs_left(tmp_path, helm) -> None:
    chart = write_chart(tmp_path, "jobs", HOOKS)
    with Sandbox() as sandbox, job_controller(sandbox):
        env = {**os.environ, "KUBECONFIG": str(sandbox.write_kubeconfig(tmp_path / "kubeconfig")),
               "HOME": str(tmp_path)}
        results = {}
        for namespace, tool in (("ours", PYHELM), ("theirs", [helm])):
            results[namespace] = run([*tool, "install", "rel", str(chart), "-n", namespace, "--create-namespace",
                                      "--timeout", "15s"], env)
        left = {namespace: sorted(job["metadata"]["name"] for job in sandbox.store.items(JOBS, namespace))
                for namespace in results}
        phases = {namespace: {h["name"]: h["last_run"]["phase"] for h in record(sandbox, "rel", 1, namespace)[0]["hooks"]}
                  for namespace in results}
    ours, theirs = results["ours"], results["theirs"]
    assert ours.returncode == theirs.returncode == 1
    # the same failure, worded apart (helm v4: "resource Job/NS/post-fails not ready. status: Failed, …")
    for result in (ours, theirs):
        assert result.stderr.startswith("Error: INSTALLATION FAILED: failed post-install: ") and \
            "post-fails" in result.stderr, result.stderr
    assert left["ours"] == left["theirs"] == ["kept-completes"]
    assert phases["ours"] == phases["theirs"] == {"pre-completes": "Succeeded", "kept-completes": "Succeeded",
                                                  "post-fails": "Failed", "post-fails-kept": ""}
