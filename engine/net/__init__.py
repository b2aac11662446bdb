"""Network reads shared by chart repositories and OCI registries: an overall deadline per download, size caps,
and bodies streamed (to disk for archives and blobs) with their declared size and digest checked on the way."""
