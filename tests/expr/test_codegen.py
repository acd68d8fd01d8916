"""The generated code the engine runs agrees with the reference implementations.

``CompiledExpression.evaluate`` and the reference evaluator in tests/helpers.py
(``active_answers``, ``score_env``) are the reference: they take any values and never raise. The engine runs faster code that may assume checked answers
(``_fast``, and one program per questionnaire for all its scores and conditions); on
random valid answers to pmpt-core and to the example questionnaires they must give the
same values, and the cache must change nothing.
"""

from __future__ import annotations

import random
from itertools import product
from typing import Any

import pytest
from helpers import NAMES, PROPERTY, ROOT, active_answers, score_env, unanswered_required, valid_answers
from hypothesis import given
from hypothesis import strategies as st

from pmpt_cli.engine import run_triage
from pmpt_cli.errors import ExpressionError
from pmpt_cli.expr.expressions import compile_expression
from pmpt_cli.loader import load_questionnaire, parse_questionnaire
from pmpt_cli.model import Questionnaire, reason_order
from pmpt_cli.program import ProgramResult, runnable
from pmpt_cli.validation import check_answers

Q = load_questionnaire("pmpt-core")
ANSWERS = valid_answers(Q)


def _expressions(questionnaire: Questionnaire) -> list[Any]:
    found = [r.when for r in questionnaire.rules] + [n.when for n in questionnaire.notes]
    found += [s.expression for s in questionnaire.scores if s.expression is not None]
    found += [q.enable_if for q in questionnaire.questions if q.enable_if is not None]
    return found


def _agree(questionnaire: Questionnaire, answers: dict[str, Any]) -> None:
    clean, _ = check_answers(questionnaire, answers)
    kept, skipped = active_answers(questionnaire, clean)
    scores, env, bands = score_env(questionnaire, kept)
    for expression in _expressions(questionnaire):
        assert expression._fast(env, bands) == expression.evaluate(env, bands), expression.source
    program = runnable(questionnaire)
    for step, condition in zip([*program.rules, *program.notes], [r.when for r in reason_order(questionnaire.rules)] + [
            n.when for n in questionnaire.notes], strict=True):  # fmt: skip
        explain, flat = step.explain, step.flat
        if explain is None:  # flat: the engine reads the answered names off the values
            assert condition.explain(env, bands)[1] == {n for n in flat if env.get(n) is not None}, condition.source
        else:  # the engine's typed explainer
            assert explain(env, bands) == condition.explain(env, bands), condition.source
    ran = program.run(clean)
    assert isinstance(ran, ProgramResult)
    assert (ran.kept, ran.skipped, ran.missing) == (kept, skipped, unanswered_required(questionnaire, kept, skipped))
    program_env, program_scores, program_bands, rule_flags, note_flags = ran[3:]
    assert program_scores == scores and list(program_scores) == list(scores)  # same values, same order
    assert program_env == env and program_bands == bands
    assert [bool(f) for f in rule_flags] == [
        bool(r.when.evaluate(env, bands)) for r in reason_order(questionnaire.rules)
    ]
    assert [bool(f) for f in note_flags] == [bool(n.when.evaluate(env, bands)) for n in questionnaire.notes]


def test_loaded_questionnaires_have_a_program() -> None:
    assert Q.program is not None
    assert Q._replace(title="changed").program is None  # it computes what was loaded, nothing else


@PROPERTY
@given(answers=ANSWERS, keep=st.floats(0.3, 1.0), seed=st.integers(0, 2**16))
def test_fast_code_agrees_with_evaluate_on_valid_answers(answers, keep, seed) -> None:
    """Complete and partial answers (the interview evaluates red flags on partial ones)."""
    rng = random.Random(seed)
    partial = {qid: value for qid, value in answers.items() if rng.random() < keep}
    for chosen in (answers, partial):
        _agree(Q, chosen)


def _random_answers(questionnaire: Questionnaire, rng: random.Random) -> dict[str, Any]:
    """Valid answers to a random part of the questions (the rest unanswered)."""
    answers: dict[str, Any] = {}
    for question in questionnaire.questions:
        if rng.random() < 0.15:
            continue
        if question.type == "choice":
            answers[question.id] = rng.choice(question.choice_values)
        elif question.type == "multi_choice":
            plain = [c.value for c in question.choices if not c.exclusive]
            exclusive = [c.value for c in question.choices if c.exclusive]
            if exclusive and rng.random() < 0.2:
                answers[question.id] = [rng.choice(exclusive)]
            else:
                answers[question.id] = rng.sample(plain, rng.randint(0, len(plain)))
        elif question.type == "yes_no":
            answers[question.id] = rng.random() < 0.5
        elif question.type in ("scale", "number") and question.min is not None and question.max is not None:
            if question.type == "number" and not question.integer and rng.random() < 0.5:
                answers[question.id] = round(rng.uniform(question.min, question.max), 1)
            else:
                answers[question.id] = rng.randint(int(question.min), int(question.max))
    return answers


def test_fast_code_agrees_on_the_example_questionnaires_and_every_method() -> None:
    """Every score method and enable-when operator (tests/fixtures/every-method.toml), and
    the example questionnaires, on random valid answers."""
    paths = sorted((ROOT / "examples" / "questionnaires").glob("*.toml"))
    paths += [ROOT / "tests" / "fixtures" / "mini.toml", ROOT / "tests" / "fixtures" / "every-method.toml"]
    for path in paths:
        questionnaire = load_questionnaire(path)
        rng = random.Random(path.name)
        for _ in range(400):
            _agree(questionnaire, _random_answers(questionnaire, rng))


def test_a_changed_questionnaire_compiles_its_program_afresh() -> None:
    """A questionnaire changed after loading comes without a program; the engine compiles
    one from its expressions (checked again) and runs it, as for a loaded one."""
    plain = Q._replace(program=None)
    assert plain.program is None and runnable(plain).run is not runnable(Q).run
    for path in sorted((ROOT / "tests" / "vignettes").glob("*.toml")):
        from pmpt_cli.answers_file import read_answers_file

        answers = read_answers_file(str(path)).answers
        assert run_triage(plain, answers) == run_triage(Q, answers), path.name


def test_a_cached_load_runs_the_same_code(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("PMPT_NO_CACHE", raising=False)
    data = (ROOT / "questionnaires" / "pmpt-core.toml").read_bytes()
    fresh = parse_questionnaire(data)
    cached = parse_questionnaire(data)  # from the entry the first load wrote
    assert list(tmp_path.glob("pmpt/toml-*.marshal"))
    for field in Questionnaire._fields:  # rebuilt from the entry as it was built from the TOML
        if field != "program":
            assert getattr(cached, field) == getattr(fresh, field), field
            assert type(getattr(cached, field)) is type(getattr(fresh, field)), field
    assert [type(q) for q in cached.questions] == [type(q) for q in fresh.questions]
    for a, b in zip(_expressions(fresh), _expressions(cached), strict=True):
        assert a._fast.__code__.co_code == b._fast.__code__.co_code
        assert a._explain.__code__.co_code == b._explain.__code__.co_code
    assert fresh.program.code.co_code == cached.program.code.co_code
    for path in sorted((ROOT / "tests" / "vignettes").glob("*.toml"))[:20]:
        from pmpt_cli.answers_file import read_answers_file

        answers = read_answers_file(str(path)).answers
        assert run_triage(cached, answers) == run_triage(fresh, answers)


# -- every typed form, on every combination of checked values (None = unanswered) ------

CHECKED_VALUES: dict[str, list[Any]] = {
    "pain_now": [None, 0, 7, 10],
    "age": [None, 17, 52.5],
    "bladder": [None, "no", "yes"],
    "flags": [None, [], ["fever"], ["fever", "trauma"]],
    "night_pain": [None, False, True],
    "notes": [None, "", "stiff"],
    "odi": [None, 0, 42.0],
    "sbst": [None, 3],
}
TYPED_FORMS = [
    "count(bladder, 'yes', 'unsure')",  # one choice: a membership test
    "count(flags, 'fever', 'trauma') + count(bladder, 'yes')",  # a list: an intersection; a sum of counts
    "count(flags, 'fever') >= 1 or count(bladder, 'yes') > 0",  # "any of"
    "pain_now >= 7 and age < 60",  # orderings that check for None
    "odi >= sbst",  # both sides may be None
    "count(flags, 'fever') > pain_now",  # one side never None
    "bladder in ['yes', 'unsure'] and pain_now not in [0, 1]",  # membership in a constant set
    "'fever' in flags or 'trauma' not in flags",  # a choice in a multi-choice answer
    "len(flags) == 0 or len(notes) > 3",  # len of a list and of a text
    "(night_pain == True) + (bladder == 'yes') + (pain_now >= 5)",  # a sum of comparisons
    "min(count(flags, 'fever'), 1) + odi",  # left as helpers
    "1 if pain_now >= 7 else (2 if night_pain else 0)",
]


@pytest.mark.parametrize("source", TYPED_FORMS)
def test_each_typed_form_agrees_with_evaluate(source: str) -> None:
    compiled = compile_expression(source, NAMES)
    names = sorted(compiled.names)
    for combo in product(*(CHECKED_VALUES[n] for n in names)):
        values = {n: v for n, v in zip(names, combo, strict=True) if v is not None}
        assert compiled._fast(values, {}) == compiled.evaluate(values, {}), values
        assert type(compiled._fast(values, {})) in (type(compiled.evaluate(values, {})), bool, int), values


# -- random expressions: the typed code against evaluate() on checked values --------------

_LEAVES = ["pain_now", "age", "bladder", "flags", "night_pain", "notes", "odi", "sbst", "1", "0", "7", "2.5", "-3",
           "'yes'", "'no'", "'fever'", "True", "False", "None", "['yes', 'unsure']", "['fever', 'trauma']", "[1, 2]",
           "[]"]  # fmt: skip
_CALLS = ["answered(bladder)", "band(odi)", "count(bladder, 'yes', 'unsure')", "count(flags, 'fever', 'trauma')",
          "len({})", "min({}, {})", "max({}, {}, {})", "abs({})", "round({})", "round({}, 1)"]  # fmt: skip


def _random_expression(rng: random.Random, depth: int) -> str:
    """A random expression of the language's shapes; many are rejected when checked, which is fine."""
    if depth <= 0 or rng.random() < 0.25:
        return rng.choice(_LEAVES)
    sub = [_random_expression(rng, depth - 1) for _ in range(3)]
    shape = rng.randrange(9)
    if shape == 0:
        return f"({sub[0]} {rng.choice(['and', 'or'])} {sub[1]})"
    if shape == 1:
        return f"(not {sub[0]})"
    if shape in (2, 3):
        return f"({sub[0]} {rng.choice(['==', '!=', '<', '<=', '>', '>=', 'in', 'not in'])} {sub[1]})"
    if shape == 4:
        return f"({sub[0]} < {sub[1]} <= {sub[2]})"
    if shape == 5:
        return f"({sub[0]} {rng.choice(['+', '-', '*', '/'])} {sub[1]} + {sub[2]})"
    if shape == 6:
        return f"({sub[0]} if {sub[1]} else {sub[2]})"
    call = rng.choice(_CALLS)
    return call.format(*sub[: call.count("{}")])


def test_typed_code_agrees_with_evaluate_on_random_expressions() -> None:
    rng = random.Random(6)
    compared = 0
    for _ in range(3000):
        source = _random_expression(rng, rng.randint(1, 4))
        try:
            compiled = compile_expression(source, NAMES)
        except ExpressionError:
            continue
        for _ in range(6):
            values = {n: v for n in NAMES if (v := rng.choice(CHECKED_VALUES[n])) is not None}
            bands = rng.choice([{}, {"odi": "severe"}, {"odi": None}])
            fast, reference = compiled._fast(values, bands), compiled.evaluate(values, bands)
            assert fast == reference, (source, values, bands)
            compared += 1
    assert compared > 5000  # most random expressions check; enough of them to mean something


# -- bounded code for any expression (issue 13, item 5) ------------------------------------


def _explain_source(source: str) -> str:
    from pmpt_cli.expr.checker import check
    from pmpt_cli.expr.codegen import _explain_function, _Printer

    return "\n".join(_explain_function("explain", _Printer(), check(source, NAMES)[0]))


def test_parenthesised_chains_are_one_chain():
    from pmpt_cli.expr.checker import check

    nested, _ = check("pain_now > 8 or (age > 70 or (night_pain or 'fever' in flags))", NAMES)
    assert nested.op == "or" and len(nested.kids) == 4
    mixed, _ = check("pain_now > 8 or (age > 70 and night_pain)", NAMES)
    assert [k.op for k in mixed.kids] == ["call", "and"]  # a different operator stays a level


@pytest.mark.parametrize("values", [
    {}, {"pain_now": 9}, {"age": 80}, {"night_pain": True}, {"flags": ["fever"]}, {"pain_now": 1, "age": 1},
    {"pain_now": 9, "age": 80, "night_pain": False, "flags": []},
])  # fmt: skip
def test_a_flattened_chain_explains_as_the_nested_one_did(values):
    flat = compile_expression("pain_now > 8 or age > 70 or night_pain or 'fever' in flags", NAMES)
    nested = compile_expression("pain_now > 8 or (age > 70 or (night_pain or 'fever' in flags))", NAMES)
    assert nested.explain(values) == flat.explain(values)
    both = compile_expression("pain_now > 8 and (age > 70 and (night_pain and 'fever' in flags))", NAMES)
    assert both.explain(values) == compile_expression(
        "pain_now > 8 and age > 70 and night_pain and 'fever' in flags", NAMES).explain(values)  # fmt: skip


def _alternating(levels: int) -> str:
    deep = "pain_now == 0"
    for i in range(1, levels + 1):
        deep = f"(pain_now == {i % 11} or (night_pain and {deep}))"
    return deep


def test_explain_code_grows_with_the_expression_not_its_square():
    """Alternating and/or nest a block per level, one space each: at the language's depth
    limit (40) the code stays small (four spaces a level and a block per operand made it
    31 KB); a long chain is one block, whatever its length."""
    assert len(_explain_source(_alternating(18))) < 20_000
    compiled = compile_expression(_alternating(18), NAMES)
    assert compiled.explain({"pain_now": 0, "night_pain": True}) == (True, frozenset({"pain_now", "night_pain"}))
    short = " or ".join(f"pain_now == {i}" for i in range(20))
    long = " or ".join(f"pain_now == {i}" for i in range(40))
    assert len(_explain_source(f"age > 1 and ({long})")) < 2.3 * len(_explain_source(f"age > 1 and ({short})"))


def test_a_program_past_the_limit_is_refused_not_compiled(monkeypatch):
    from pmpt_cli.expr import codegen
    from pmpt_cli.program import program_parts

    monkeypatch.setattr(codegen, "MAX_PROGRAM_CHARS", 1000)
    with pytest.raises(codegen.ProgramTooLarge):
        codegen.generate_program(program_parts(Q), "test")
