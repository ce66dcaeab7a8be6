"""Errors the matcher raises for bad input; each message names the field, line or position."""


class MatcherError(ValueError):
    """Base class for bad input to the matching engine."""


class EmptyTextError(MatcherError):
    """A text to encode or rank is empty or only white space."""


class BenchmarkFormatError(MatcherError):
    """A benchmark folder is missing a file or has a malformed line."""
