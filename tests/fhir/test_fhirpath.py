"""The FHIRPath pmpt writes means what pmpt computes (checked with fhirpathpy), and the reader's subset."""

from __future__ import annotations

import datetime

import pytest
from helpers import FIXTURES, PROPERTY, is_enabled, valid_answers
from hypothesis import given, settings

from pmpt_cli.engine import run_triage
from pmpt_cli.export import summary_document
from pmpt_cli.fhir import EXT_ENABLE_WHEN_EXPRESSION
from pmpt_cli.fhir.fhirpath import FhirPathError, number, parse, string
from pmpt_cli.fhir.mapping import link_ids
from pmpt_cli.fhir.questionnaire_out import questionnaire_to_fhir
from pmpt_cli.fhir.response import response_to_fhir
from pmpt_cli.loader import load_questionnaire

NOW = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)


def expressions(questionnaire) -> dict[str, str]:
    """Question id -> the enableWhenExpression the export wrote for it."""
    found = {}
    by_link = {link: key[1] for key, link in link_ids(questionnaire).items() if key[0] == "questions"}

    def walk(items):
        for item in items:
            for ext in item.get("extension", []):
                if ext["url"] == EXT_ENABLE_WHEN_EXPRESSION:
                    found[by_link[item["linkId"]]] = ext["valueExpression"]["expression"]
            walk(item.get("item", []))

    walk(questionnaire_to_fhir(questionnaire)["item"])
    return found


@pytest.mark.parametrize("ref", ["pmpt-core", str(FIXTURES / "every-method.toml")])
def test_enable_when_expressions_agree_with_pmpt_on_random_answers(ref):
    from fhirpathpy import evaluate
    from fhirpathpy.models import models

    questionnaire = load_questionnaire(ref)
    written = expressions(questionnaire)
    assert written  # both have enable_if questions

    @settings(PROPERTY, max_examples=25)  # fhirpathpy takes about 15 ms an expression
    @given(valid_answers(questionnaire))
    def check(answers):
        result = run_triage(questionnaire, answers, allow_missing=True)
        response = response_to_fhir(questionnaire, summary_document(questionnaire, result, now=NOW))
        for qid, expression in written.items():
            fhir = evaluate(response, expression, {"resource": response}, model=models["r4"])
            assert fhir == [is_enabled(questionnaire.question(qid), result.answers)], (qid, expression)

    check()


def test_literals():
    assert string("it's a \\ path\n") == "'it\\'s a \\\\ path\\n'"
    assert number(3) == "3" and number(0.00001) == "0.00001" and number(2.5) == "2.5"


def test_the_reader_builds_a_tree_with_fhirpath_precedence():
    tree = parse("iif(%a.exists(), %a, 0) + %resource.item.where(linkId in ('x' | 'y')).answer.value.weight()")
    assert tree[0] == "op" and tree[1] == "+"
    assert tree[2] == ("call", "iif", [("invoke", ("var", "a"), "exists", []), ("var", "a"), ("num", 0)])
    where = tree[3][1][1][1]
    assert where[2] == "where" and where[3][0][1] == "in"
    assert parse("a or b and c") == ("op", "or", ("member", None, "a"), ("op", "and", ("member", None, "b"),
                                                                        ("member", None, "c")))  # fmt: skip


@pytest.mark.parametrize("text", ["a ^ b", "iif(", "'unterminated", "(" * 100 + "1" + ")" * 100, "x" * 20_001])
def test_the_reader_refuses_what_it_cannot_read(text):
    with pytest.raises(FhirPathError):
        parse(text)
