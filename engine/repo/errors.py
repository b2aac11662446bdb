"""The error repository operations raise; commands print it as one ``Error:`` line."""


class RepoError(Exception):
    """A repository, index, download or cache failure, worded as Helm words it."""
