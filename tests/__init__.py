"""The routing test suite (a package so that `tests.strategies` imports by name)."""
