"""Malformed and oversized requests get kube-apiserver's 4xx answers, never a 500 or a dropped connection."""
from __future__ import annotations

import json
import socket

import requests


def _raw(sandbox, request: bytes) -> str:
    host, port = sandbox.server.server_address[:2]
    with socket.create_connection((host, port), timeout=10) as conn:
        conn.sendall(request)
        conn.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    return data.decode(errors="replace")


def test_bad_content_length_is_400(sandbox) -> None:
    answer = _raw(sandbox, b"POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\n"
                           b"Content-Type: application/json\r\nContent-Length: ten\r\n\r\n{}")
    assert answer.startswith("HTTP/1.1 400")


def test_bad_chunked_encoding_is_400(sandbox) -> None:
    answer = _raw(sandbox, b"POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\n"
                           b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n")
    assert answer.startswith("HTTP/1.1 400")


def test_deeply_nested_json_is_400(sandbox) -> None:
    body = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"x":' + "[" * 100000 + "]" * 100000 + "}"
    response = requests.post(f"{sandbox.url}/api/v1/namespaces/default/configmaps", data=body,
                             headers={"Content-Type": "application/json"}, timeout=30)
    assert response.status_code == 400 and response.json()["reason"] == "BadRequest"


def test_bodies_over_3_mib_are_413_and_the_connection_stays_usable(sandbox) -> None:
    big = json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "big"},
                      "data": {"a": "x" * (3 * 1024 * 1024)}})
    with requests.Session() as session:
        response = session.post(f"{sandbox.url}/api/v1/namespaces/default/configmaps", data=big,
                                headers={"Content-Type": "application/json"}, timeout=30)
        assert response.status_code == 413
        assert response.json()["message"] == "Request entity too large: limit is 3145728"
        assert session.get(f"{sandbox.url}/api/v1/namespaces/default/configmaps", timeout=10).status_code == 200


def test_config_map_data_over_1_mib_is_422(sandbox) -> None:
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "large"},
            "data": {"a": "x" * (1024 * 1024 + 1)}}
    response = requests.post(f"{sandbox.url}/api/v1/namespaces/default/configmaps", json=body, timeout=30)
    assert response.status_code == 422
    assert response.json()["details"]["causes"][0]["reason"] == "FieldValueTooLong"


def test_one_connection_keeps_serving_after_a_get_with_a_body_and_an_ended_watch(sandbox) -> None:
    session = requests.Session()
    url = f"{sandbox.url}/api/v1/namespaces/default/configmaps"
    assert session.get(url, data=b'{"ignored": true}', headers={"Content-Type": "application/json"}).status_code == 200
    watch = session.get(url, params={"watch": "true", "timeoutSeconds": "1"})
    assert watch.status_code == 200
    for _ in range(3):  # the same pooled connection answers the next requests
        assert session.get(url).status_code == 200


def test_a_delete_body_that_is_no_object_is_400_and_a_put_to_a_collection_405(sandbox) -> None:
    url = f"{sandbox.url}/api/v1/namespaces/default/configmaps"
    requests.post(url, json={"metadata": {"name": "kept"}}).raise_for_status()
    refused = requests.delete(f"{url}/kept", data=b"[1]", headers={"Content-Type": "application/json"})
    assert (refused.status_code, refused.json()["reason"]) == (400, "BadRequest")
    assert requests.get(f"{url}/kept").status_code == 200
    put = requests.put(url, json={"metadata": {"name": "x"}})
    assert (put.status_code, put.json()["reason"]) == (405, "MethodNotAllowed")
