"""The decision objects: `Decision`'s hand-written constructor behaves as a dataclass one."""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from routing.model.decision import Decision, DecisionError, Effect

REQUIRED: dict[str, Any] = {
    "ticket_id": "T-1",
    "queue": "billing",
    "priority": "high",
    "status": "open",
    "assignee": None,
    "tags": ("a", "b"),
    "spam": False,
    "spam_score": 1.5,
    "fields": {"plan": "pro"},
    "fired": ("r1",),
    "effects": (Effect("reply", "r1", template="ack"),),
    "sla": None,
    "errors": (DecisionError("E1", "boom", "r1"),),
}
DEFAULTS: dict[str, Any] = {
    "trace": (),
    "suppressed": (),
    "assignment": None,
    "extra": {},
    "sent": (),
}


def values(d: Decision) -> dict[str, Any]:
    return {f.name: getattr(d, f.name) for f in dataclasses.fields(d)}


def _reference(kwargs: dict[str, Any]) -> Decision:
    """A decision built field by field as the generated frozen-dataclass `__init__` does."""
    d = object.__new__(Decision)
    for f in dataclasses.fields(Decision):
        if f.name in kwargs:
            value = kwargs[f.name]
        elif f.default_factory is not dataclasses.MISSING:
            value = f.default_factory()
        else:
            value = f.default
        object.__setattr__(d, f.name, value)
    return d


def test_init_parameters_are_the_fields_in_order_with_their_defaults() -> None:
    params = list(inspect.signature(Decision.__init__).parameters.values())[1:]
    fields = dataclasses.fields(Decision)
    expected = [
        (f.name, f.default if f.default is not dataclasses.MISSING else "required") for f in fields
    ]
    actual = [
        (
            p.name,
            "required"
            if p.default is inspect.Parameter.empty
            else ("factory" if p.name == "extra" else p.default),
        )
        for p in params
    ]
    factories = [f.name for f in fields if f.default_factory is not dataclasses.MISSING]
    assert (actual, factories) == (
        [(n, "factory" if n == "extra" else v) for n, v in expected],
        ["extra"],
    )


def test_defaults_and_a_fresh_extra_dict_per_decision() -> None:
    a, b = Decision(**REQUIRED), Decision(**REQUIRED)
    assert (values(a), a.extra is b.extra) == (REQUIRED | DEFAULTS, False)


def test_positional_and_keyword_construction_agree() -> None:
    full = REQUIRED | {
        "trace": (),
        "suppressed": (),
        "assignment": {"agent": "x"},
        "extra": {"k": 1},
        "sent": (),
    }
    assert values(Decision(*full.values())) == values(Decision(**full)) == full


def test_extra_none_is_kept_as_given() -> None:
    assert Decision(**REQUIRED, extra=None).extra is None  # type: ignore[arg-type]


def test_missing_and_unknown_arguments_raise_type_error() -> None:
    missing = dict(REQUIRED)
    del missing["errors"]
    with pytest.raises(TypeError, match="errors"):
        Decision(**missing)
    with pytest.raises(TypeError, match="colour"):
        Decision(**REQUIRED, colour="red")  # type: ignore[call-arg]


def test_frozen_repr_replace_and_equality() -> None:
    d = Decision(**REQUIRED)
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.queue = "other"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del d.queue
    changed = dataclasses.replace(d, queue="other")
    assert (
        changed.queue,
        values(changed) == values(d) | {"queue": "other"},
        d == Decision(**REQUIRED),
        d != changed,
        repr(d),
    ) == (
        "other",
        True,
        True,
        True,
        "Decision(ticket_id='T-1', queue='billing', priority='high', status='open', "
        "assignee=None, tags=('a', 'b'), spam=False, spam_score=1.5, fields={'plan': 'pro'}, "
        "fired=('r1',), effects=(Effect(type='reply', rule='r1', template='ack', to=None, "
        "subject=None, body=None, url=None, headers=()),), sla=None, "
        "errors=(DecisionError(code='E1', message='boom', rule='r1'),), trace=(), "
        "suppressed=(), assignment=None, extra={}, sent=())",
    )


def test_unhashable_like_a_frozen_dataclass_with_a_dict_field() -> None:
    with pytest.raises(TypeError, match="unhashable type: 'dict'"):
        hash(Decision(**REQUIRED))


_values = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=5)
)


@given(
    st.fixed_dictionaries(
        dict.fromkeys(REQUIRED, _values),
        optional=dict.fromkeys(DEFAULTS, _values),
    )
)
def test_init_builds_what_the_generated_init_would(kwargs: dict[str, Any]) -> None:
    built = Decision(**kwargs)
    reference = _reference(kwargs)
    assert (values(built), repr(built), built == reference) == (
        values(reference),
        repr(reference),
        True,
    )
