"""Connector and plan names: the one key they are compared by (trimmed, NFC, case-folded),
and a table of records found by it in one step. Pure: no I/O."""

from __future__ import annotations

import functools
from collections.abc import (
    ItemsView,
    Iterator,
    KeysView,
    Mapping,
    MutableMapping,
    ValuesView,
)
from typing import TypeVar


@functools.lru_cache(maxsize=65536)  # a config's names are looked up several times each
def name_key(name: str) -> str:
    """What connector and plan names are compared by: trimmed, canonically normalised and
    case-folded, so that "Ünïcode" typed in NFC or NFD, or in another case, is one name.
    (Unicode's canonical caseless match: NFD, casefold, then NFC to keep keys short.)"""
    import unicodedata

    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", name.strip()).casefold())


_V = TypeVar("_V")


class NameTable(MutableMapping[str, _V]):
    """Records by their name, in insertion order, also found in one step by ``name_key``.
    Names are unique by key; setting a second name of the same key is the caller's bug."""

    def __init__(self, items: Mapping[str, _V] | None = None) -> None:
        self._items: dict[str, _V] = {}
        self._names: dict[str, str] = {}  # name_key -> name
        self.update(items or {})

    def __getitem__(self, name: str) -> _V:
        return self._items[name]

    def __setitem__(self, name: str, value: _V) -> None:
        self._items[name] = value
        self._names[name_key(name)] = name

    def __delitem__(self, name: str) -> None:
        del self._items[name]
        key = name_key(name)
        if self._names.get(key) == name:
            del self._names[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return repr(self._items)

    # The dict's own views: the mixins' would call __getitem__ once per record.
    def keys(self) -> KeysView[str]:
        return self._items.keys()

    def values(self) -> ValuesView[_V]:
        return self._items.values()

    def items(self) -> ItemsView[str, _V]:
        return self._items.items()

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def replace(self, old_name: str, new_name: str, record: _V) -> None:
        """Put ``record`` under ``new_name`` where ``old_name`` was: the same position, so
        that a renamed record keeps its place in the file. Linear only for a real rename."""
        if old_name not in self._items:
            raise KeyError(old_name)
        if new_name == old_name:
            self[old_name] = record
            return
        items = [(new_name, record) if name == old_name else (name, value) for name, value in self._items.items()]
        self._items.clear()
        self._names.clear()
        self.update(items)

    def find(self, name: str) -> _V | None:
        """The record whose name has the same ``name_key`` as ``name``."""
        found = self._names.get(name_key(name))
        return None if found is None else self._items.get(found)
