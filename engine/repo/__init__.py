"""Chart repositories over HTTP(S): Helm's client files, index.yaml, downloads and the content cache."""
