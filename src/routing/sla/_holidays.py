"""python-holidays, importing only the countries a calendar names.

``holidays.country_holidays("DE")`` imports ``holidays.countries.germany``, and Python imports
a package before any of its modules: ``holidays/countries/__init__.py`` imports all of the
library's ~250 country modules, about 80 ms of start-up for the two a rule set names
(decision 0023). Importing this module instead of ``holidays`` puts a lazy
``holidays.countries`` package in `sys.modules` first: it has the real package's path and
spec, so importing a country module finds and runs just that module, and the first time any
other name is asked of the package it runs the real ``__init__`` in place, so every name it
defines is there, as with the plain import. Nothing else of the library is changed: the
same classes, the same `holidays.country_holidays`, the same errors for unknown countries.

When ``holidays.countries`` is already imported (by the application), or the package is
laid out differently, this leaves it alone and the plain import happens.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
import types
from importlib.abc import InspectLoader
from typing import Any

import holidays


def _import_lock() -> Any:
    """The lock python-holidays imports countries under; None in another layout (then the
    plain import happens)."""
    try:
        from holidays.registry import IMPORT_LOCK
    except ImportError:  # pragma: no cover - python-holidays after a reorganisation
        return None
    return IMPORT_LOCK


IMPORT_LOCK: Any = _import_lock()

__all__ = ["holidays"]

_PACKAGE = "holidays.countries"


class _LazyCountries(types.ModuleType):
    """``holidays.countries`` whose ``__init__`` runs when a name of its own is asked for."""

    def __getattr__(self, name: str) -> Any:
        # Only called for a name the module does not have yet. While the real __init__
        # runs (it imports every country module) nothing is asked twice.
        with IMPORT_LOCK:
            state = self.__dict__
            if not state.get("_routing_complete"):
                state["_routing_complete"] = True
                loader = self.__spec__.loader if self.__spec__ is not None else None
                code = loader.get_code(_PACKAGE) if isinstance(loader, InspectLoader) else None
                if code is None:
                    raise AttributeError(f"module {_PACKAGE!r} has no attribute {name!r}")
                try:
                    exec(code, state)  # noqa: S102 - the package's own __init__, in place
                except BaseException:
                    state["_routing_complete"] = False
                    raise
            if name in state:
                return state[name]
        raise AttributeError(f"module {_PACKAGE!r} has no attribute {name!r}")


def _install() -> None:
    if IMPORT_LOCK is None:  # pragma: no cover - see the import above
        return
    with IMPORT_LOCK:
        if _PACKAGE in sys.modules:
            return
        spec = importlib.machinery.PathFinder.find_spec(_PACKAGE, list(holidays.__path__))
        if (
            spec is None
            or not isinstance(spec.loader, InspectLoader)
            or spec.submodule_search_locations is None
        ):
            return
        module = importlib.util.module_from_spec(spec)
        module.__class__ = _LazyCountries
        sys.modules[_PACKAGE] = module
        holidays.countries = module


_install()
