"""The failure of a download that the network layer itself refuses (deadline, size, digest, redirects)."""


class DownloadError(Exception):
    """A download stopped on purpose; the message is one line that names the URL."""
