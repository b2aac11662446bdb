"""Charts from ``oci://`` references into helm's content cache (keyed by the chart layer's digest)."""
from __future__ import annotations

from functools import partial

from engine.registry.charts import Pulled, pull_chart
from engine.registry.client import RegistryClient


def clients(plain_http: bool = False, insecure: bool = False, username: str = "", password: str = ""):
    """A ``client_for(host)`` factory with the given connection settings."""
    return partial(RegistryClient, plain_http=plain_http, insecure=insecure, username=username, password=password)


def fetch_to_cache(reference: str, constraint: str, client_for, content_cache: str, with_prov: bool = False
                   ) -> tuple[str, Pulled]:
    """The local path of the pulled chart archive (fetched once per digest) and what was pulled (with its
    provenance layer when asked)."""
    from engine.repo.cache import ContentCache

    pulled = pull_chart(reference, constraint, client_for, ContentCache(content_cache), with_prov)
    return pulled.chart_path, pulled
