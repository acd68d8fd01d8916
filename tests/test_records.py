"""``records.Record`` makes the same classes as ``typing.NamedTuple`` (only cheaper to create)."""

from __future__ import annotations

import pickle
from typing import NamedTuple

import pytest

from pmpt_cli.model import Choice, Questionnaire, ScoreResult
from pmpt_cli.records import Record


class Typed(NamedTuple):
    """A record."""

    value: str
    label: str
    score: float | None = None

    @property
    def shout(self) -> str:
        return self.label.upper()

    def __str__(self) -> str:
        return f"{self.value}: {self.label}"


class Cheap(Record):
    """A record."""

    value: str
    label: str
    score: float | None = None

    @property
    def shout(self) -> str:
        return self.label.upper()

    def __str__(self) -> str:
        return f"{self.value}: {self.label}"


def test_a_record_behaves_as_the_typing_named_tuple() -> None:
    typed, cheap = Typed("a", "b"), Cheap("a", "b")
    assert Cheap.__mro__[1:] == Typed.__mro__[1:] == (tuple, object)
    assert Cheap.__doc__ == Typed.__doc__ == "A record."
    assert Cheap._fields == Typed._fields and Cheap._field_defaults == Typed._field_defaults
    assert list(Cheap.__annotations__) == list(Typed.__annotations__)
    assert cheap == typed == ("a", "b", None) and hash(cheap) == hash(typed)
    assert repr(cheap) == repr(typed).replace("Typed", "Cheap")
    assert str(cheap) == str(typed) == "a: b" and cheap.shout == "B"
    assert Cheap(label="b", value="a", score=1.0) == cheap._replace(score=1.0) == Cheap._make(["a", "b", 1.0])
    assert cheap._asdict() == typed._asdict()
    assert type(tuple.__new__(Cheap, ("x", "y", None))) is Cheap
    assert pickle.loads(pickle.dumps(cheap)) == cheap
    with pytest.raises(AttributeError):
        cheap.value = "z"  # type: ignore[misc]


def test_record_rejects_what_named_tuple_rejects() -> None:
    with pytest.raises(TypeError, match="Non-default namedtuple field b cannot follow default field a"):

        class Bad(Record):
            a: int = 1
            b: int

    with pytest.raises(AttributeError, match="Cannot overwrite NamedTuple attribute _replace"):

        class Overwrites(Record):
            a: int

            def _replace(self, **kwargs):  # type: ignore[override]
                return self


def test_pmpt_records_are_named_tuples() -> None:
    choice = Choice("yes", "Yes")
    assert isinstance(choice, tuple) and choice.score is None and not choice.exclusive
    assert ScoreResult._fields == ("id", "label", "value", "band", "answered", "missing")


def test_a_questionnaire_is_read_only_and_replace_makes_a_copy(mini) -> None:
    with pytest.raises(AttributeError):
        mini.title = "changed"
    with pytest.raises(AttributeError):
        del mini.title
    copy = mini._replace(title="Changed")
    assert isinstance(copy, Questionnaire) and copy is not mini
    assert (copy.title, mini.title) == ("Changed", "Mini knee check")
    assert copy.questions is mini.questions and copy.question("pain_now") is mini.question("pain_now")
    assert repr(mini).startswith("Questionnaire(id='mini', title='Mini knee check', ")
