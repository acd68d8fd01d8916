"""``Record``: ``typing.NamedTuple``'s class syntax at a quarter of its import cost.

``class X(NamedTuple)`` type-checks every field annotation when the class is created.
Under ``from __future__ import annotations`` each annotation is a string, which
``typing`` compiles into a ``ForwardRef``: about 0.1 ms per class, 1.5 ms or more of
pmpt's start-up over its records. ``class X(Record)`` builds the same class as typing
does (a ``collections.namedtuple`` with the body's defaults, docstring, methods and
properties) and keeps the annotation strings unchecked. Type checkers see
``typing.NamedTuple`` itself.

Modules that use it need ``from __future__ import annotations`` (pmpt's all have it):
without it, Python 3.14+ keeps a class body's annotations out of its namespace, so
``Record`` refuses the class rather than make one without fields.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import NamedTuple as Record
else:
    from collections import namedtuple
    from typing import NamedTuple

    # What a class body may not set, and what it sets that is not copied (as in typing).
    _PROHIBITED = frozenset({
        "__new__", "__init__", "__slots__", "__getnewargs__", "_fields", "_field_defaults", "_make", "_replace",
        "_asdict", "_source",
    })  # fmt: skip
    _SPECIAL = frozenset({"__module__", "__name__", "__annotations__"})

    class _RecordMeta(type):
        """Turns ``class X(Record)`` into a namedtuple class, as ``typing.NamedTupleMeta`` does."""

        def __new__(mcls, typename, bases, ns):
            if not bases:  # Record itself
                return super().__new__(mcls, typename, bases, ns)
            if bases != (Record,):
                raise TypeError("a Record class can only inherit from Record")
            if "__annotations__" not in ns and any(key.startswith("__annotate") for key in ns):
                raise TypeError(f"{typename}: a Record needs `from __future__ import annotations` in its module")
            types = ns.get("__annotations__", {})
            default_names = []
            for name in types:
                if name in ns:
                    default_names.append(name)
                elif default_names:
                    raise TypeError(f"Non-default namedtuple field {name} cannot follow default field "
                                    f"{', '.join(default_names)}")  # fmt: skip
            cls = namedtuple(typename, list(types), defaults=[ns[n] for n in default_names], module=ns["__module__"])
            cls.__annotations__ = cls.__new__.__annotations__ = dict(types)
            cls.__orig_bases__ = (NamedTuple,)
            for key, value in ns.items():
                if key in _PROHIBITED:
                    raise AttributeError(f"Cannot overwrite NamedTuple attribute {key}")
                if key not in _SPECIAL and key not in cls._fields:
                    setattr(cls, key, value)
            return cls

    class Record(metaclass=_RecordMeta):
        """Base of pmpt's records: ``class X(Record)`` makes ``X`` a namedtuple class."""
