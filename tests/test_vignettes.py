"""The pmpt-core questionnaire against written clinical vignettes, plus safety properties.

Each file in tests/vignettes/ is a case a clinician would route one way:
``expected`` (the outcome), ``acceptable`` (the other outcomes a clinician would
accept), ``rationale`` (why), ``source`` (the guideline behind it), ``origin``
("author", or "blind" for a case written by another clinician without seeing pmpt's
answer, encoded from its facts) and ``[answers]`` (complete answers to pmpt-core).
pmpt's outcome must equal ``expected``; the few places where pmpt deliberately
disagrees with a blind case are listed in ``KNOWN_DISAGREEMENTS`` (strict xfail, with
the reason) and in docs/clinical-validation.md. The property tests generate random *valid*
answer sets from the loaded questionnaire's own question definitions, so they keep
working as the questions change. See docs/clinical-basis.md for the rules pinned here.
"""

from __future__ import annotations

import copy
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from helpers import EXAMPLES, KNOWN_DISAGREEMENTS, PROPERTY, ROOT, answer_strategy
from hypothesis import assume, given
from hypothesis import strategies as st

from pmpt_cli.engine import assess, run_triage
from pmpt_cli.lint import lint_document, lint_questionnaire
from pmpt_cli.loader import load_questionnaire
from pmpt_cli.model import OUTCOMES

VIGNETTES = ROOT / "tests" / "vignettes"
VIGNETTE_FILES = sorted(VIGNETTES.glob("*.toml"))
CORE_PATH = ROOT / "questionnaires" / "pmpt-core.toml"

#: Red-flag tiers outrank everything; the other outcomes are all "not urgent".
SEVERITY = {"emergency": 2, "urgent": 1}

Q = load_questionnaire("pmpt-core")
NEED_SCORES = {s.id for s in Q.scores if s.need}
CONTRIBUTORS = [item for s in Q.scores if s.need for item in s.items]


def severity(outcome: str) -> int:
    return SEVERITY.get(outcome, 0)


def load_vignette(path: Path) -> dict[str, Any]:
    with path.open("rb") as fh:
        return tomllib.load(fh)


def answered_questions(result) -> set[str]:
    return set(result.answers)


# -- the questionnaire itself -------------------------------------------------------


def test_questionnaire_loads_with_no_problems():
    """The loader accepts it (it raises otherwise) and lint finds no errors or warnings."""
    q = load_questionnaire(CORE_PATH)
    assert q.id == "pmpt-core" and q.licence == "CC-BY-4.0"
    with CORE_PATH.open("rb") as fh:
        raw = tomllib.load(fh)
    findings = lint_document(raw) + lint_questionnaire(q)
    assert findings == [], "\n".join(f"{f.severity} {f.location}: {f.message}" for f in findings)


def test_questionnaire_is_short_and_sourced():
    """Follow-ups and conditional questions keep what one person is asked short."""
    assert len(Q.questions) <= 70
    asked = max(len(run_triage(Q, load_vignette(p)["answers"]).answers) for p in VIGNETTE_FILES)
    assert asked <= 50, f"a vignette answers {asked} questions"
    assert Q.minutes == 6
    assert Q.sources, "every questionnaire lists its sources"
    for rule in Q.rules:
        assert rule.source.strip() and rule.explanation.strip(), rule.id
    for score in Q.scores:
        assert score.source.strip(), score.id
    assert set(Q.outcome_texts) == set(OUTCOMES)


def test_red_flags_are_asked_first():
    """After the three 'who' questions, the safety section comes before any other."""
    sections = [q.section for q in Q.questions]
    first_other = next(i for i, s in enumerate(sections) if s not in ("about", "safety"))
    assert sections[:3] == ["about"] * 3
    assert all(s == "safety" for s in sections[3:first_other])
    assert "safety" not in sections[first_other:]


def test_every_outcome_has_a_rule_and_the_default_is_not_a_red_flag():
    produced = {rule.outcome for rule in Q.rules}
    assert produced == set(OUTCOMES)
    assert Q.default.outcome not in SEVERITY


# -- vignettes ------------------------------------------------------------------------


VIGNETTE_KEYS = {"expected", "acceptable", "rationale", "source", "origin", "answers"}


def _vignette_params() -> list[Any]:
    return [
        pytest.param(p, id=p.stem, marks=pytest.mark.xfail(strict=True, reason=KNOWN_DISAGREEMENTS[p.stem]))
        if p.stem in KNOWN_DISAGREEMENTS
        else pytest.param(p, id=p.stem)
        for p in VIGNETTE_FILES
    ]


@pytest.mark.parametrize("path", _vignette_params())
def test_vignette(path: Path):
    case = load_vignette(path)
    assert VIGNETTE_KEYS <= set(case) <= VIGNETTE_KEYS | {"comment"}, f"a vignette has {sorted(VIGNETTE_KEYS)}"
    assert case["expected"] in OUTCOMES
    assert set(case["acceptable"]) <= set(OUTCOMES) - {case["expected"]}, "acceptable: other outcomes only"
    assert case["origin"] in ("author", "blind")
    assert len(case["rationale"].strip()) > 20 and len(case["source"].strip()) > 5

    assessment = assess(Q, case["answers"])
    problems = assessment.problems
    assert problems == [], [str(p) for p in problems]
    missing = [Q.questions_by_id[qid] for qid in assessment.missing]
    assert missing == [], f"unanswered required questions: {[q.id for q in missing]}"

    result = run_triage(Q, case["answers"])
    assert result.ignored == (), "vignettes answer only the questions that are asked"
    decisive = result.decisive_reason
    assert decisive is not None, "a rule, not the default, decides every vignette"
    assert set(decisive.evidence) & (answered_questions(result) | NEED_SCORES), (
        f"the deciding reason {decisive.rule_id} names no answered question or need: {decisive.evidence}"
    )
    assert result.outcome == case["expected"], (
        f"{path.stem}: expected {case['expected']}, got {result.outcome} "
        f"(decided by {result.decided_by}; fired {[r.rule_id for r in result.reasons]})"
    )


def test_known_disagreements_are_blind_vignettes():
    for stem in KNOWN_DISAGREEMENTS:
        assert (VIGNETTES / f"{stem}.toml").exists(), stem
        assert load_vignette(VIGNETTES / f"{stem}.toml")["origin"] == "blind", stem


def confusion_matrix(origin: str | None = None) -> dict[tuple[str, str], int]:
    """(expected, pmpt's outcome) -> count, over the vignettes of ``origin`` (all when None)."""
    matrix: Counter[tuple[str, str]] = Counter()
    for case, result in _vignette_results():
        if origin is None or case["origin"] == origin:
            matrix[(case["expected"], result.outcome)] += 1
    return dict(matrix)


def test_disagreements_are_at_least_as_urgent_or_acceptable():
    """Where pmpt differs from a vignette, it is never less urgent than a red-flag expectation."""
    for case, result in _vignette_results():
        if result.outcome != case["expected"]:
            assert severity(result.outcome) >= severity(case["expected"]), (case["rationale"], result.outcome)


def _vignette_results() -> list[tuple[dict[str, Any], Any]]:
    return [(case, run_triage(Q, case["answers"])) for case in map(load_vignette, VIGNETTE_FILES)]


def test_vignette_suite_covers_every_outcome_and_every_rule():
    assert len(VIGNETTE_FILES) >= 150
    cases = _vignette_results()
    per_outcome = Counter(case["expected"] for case, _ in cases)
    for outcome in OUTCOMES:
        assert per_outcome[outcome] >= 5, f"only {per_outcome[outcome]} vignettes for {outcome}"
    assert per_outcome["pain-management"] >= 25 and per_outcome["both"] >= 20, per_outcome
    fired = {reason.rule_id for _, result in cases for reason in result.reasons}
    assert fired == {rule.id for rule in Q.rules}, (
        f"rules no vignette exercises: {sorted({r.id for r in Q.rules} - fired)}"
    )


def test_vignette_suite_covers_every_region_and_age():
    cases = [load_vignette(p)["answers"] for p in VIGNETTE_FILES]
    regions = {r for answers in cases for r in answers["region"]}
    assert regions == set(_choices("region")), f"regions without a vignette: {set(_choices('region')) - regions}"
    ages = Counter(answers["age_band"] for answers in cases)
    assert set(ages) == set(_choices("age_band")), ages
    assert ages["age_over_65"] >= 5 and ages["age_16_to_19"] >= 5, ages


def test_every_contributor_raises_its_need_in_some_vignette():
    raised = {c for _, result in _vignette_results() for c in CONTRIBUTORS if result.scores[c].value}
    assert raised == set(CONTRIBUTORS), f"contributors no vignette raises: {sorted(set(CONTRIBUTORS) - raised)}"


def test_every_red_flag_rule_decides_a_vignette_of_its_tier():
    decided = Counter()
    for case, result in _vignette_results():
        if case["expected"] in SEVERITY:
            for reason in result.reasons:
                if reason.outcome == case["expected"]:
                    decided[reason.rule_id] += 1
    red_flag_rules = [rule.id for rule in Q.rules if rule.outcome in SEVERITY]
    assert [r for r in red_flag_rules if not decided[r]] == []


def test_vignette_file_names_start_with_their_outcome():
    for path in VIGNETTE_FILES:
        expected = load_vignette(path)["expected"]
        assert path.stem.startswith(expected + "-"), path.name


# -- examples ----------------------------------------------------------------------------

#: Answers files for pmpt-core named by outcome, e.g. examples/self-care-recent-back.toml.
CORE_EXAMPLES = [
    p for p in sorted(EXAMPLES.glob("*.toml"))
    if tomllib.loads(p.read_text()).get("questionnaire", "pmpt-core") == "pmpt-core"
    and any(p.stem.startswith(o + "-") for o in OUTCOMES)
]  # fmt: skip


@pytest.mark.parametrize("path", CORE_EXAMPLES, ids=[p.stem for p in CORE_EXAMPLES])
def test_example_answers_file_gives_the_outcome_in_its_name(path: Path):
    doc = tomllib.loads(path.read_text())
    assert set(doc) <= {"questionnaire", "answers"}
    outcome = max((o for o in OUTCOMES if path.stem.startswith(o + "-")), key=len)
    assert run_triage(Q, doc["answers"]).outcome == outcome


def test_there_is_an_example_for_every_outcome():
    named = {o for p in CORE_EXAMPLES for o in OUTCOMES if p.stem.startswith(o + "-")}
    assert named == set(OUTCOMES)


# -- generated answers -------------------------------------------------------------------


#: A complete, valid answer to every question (the engine ignores those not asked).
ANSWERS = st.fixed_dictionaries({q.id: answer_strategy(q) for q in Q.questions})

#: Fully random answers are nearly always red flags; half the examples therefore start
#: from answers with no safety-question flag, where the non-red-flag rules are decided.
SAFETY_BASELINE = {"bladder_bowel": "no", "saddle_numbness": "no", "leg_weakness": "no", "cancer_history": "no",
                   "weight_loss": "no", "fever": "no", "risk_factors": ["none"], "recent_injury": "none",
                   "unremitting": "no", "aaa": "no", "neck_symptoms": ["none"], "hands_gait": "no",
                   "hot_joint": "no", "bone_pain_young": ["none"]}  # fmt: skip
#: Each "not sure" follow-up with its reassuring answer (the flag answers are the others).
FOLLOW_UPS = {"bladder_check": ("bladder_bowel", "yes_normal"), "saddle_check": ("saddle_numbness", "same"),
              "leg_check": ("leg_weakness", "yes_normal"), "cancer_check": ("cancer_history", "no"),
              "weight_check": ("weight_loss", "same"), "fever_check": ("fever", "no"),
              "injury_check": ("recent_injury", "yes"), "unremitting_check": ("unremitting", "eases"),
              "aaa_check": ("aaa", "no"), "neck_check": ("neck_symptoms", "longstanding"),
              "hands_check": ("hands_gait", "same"), "hot_joint_check": ("hot_joint", "no"),
              "bone_check": ("bone_pain_young", "activity")}  # fmt: skip
SAFETY_BASELINE |= {qid: reassuring for qid, (_, reassuring) in FOLLOW_UPS.items()}
ANSWERS = st.one_of(ANSWERS, ANSWERS.map(lambda a: a | copy.deepcopy(SAFETY_BASELINE)))


def _choices(qid: str) -> tuple[str, ...]:
    question = Q.question(qid)
    assert question is not None, f"the properties below name a question pmpt-core no longer has: {qid}"
    return question.choice_values


#: Answers that ADD a red flag: (question, baseline value it replaces, flag value).
#: Multi-choice flags are added to the list instead (dropping the exclusive 'none').
CHOICE_FLAGS = [
    ("bladder_bowel", "no", ["yes", "unsure"]),
    ("saddle_numbness", "no", ["yes", "unsure"]),
    ("leg_weakness", "no", ["one_leg_stable", "one_leg_worse", "both_legs", "both_legs_longstanding", "unsure"]),
    ("cancer_history", "no", ["yes", "unsure"]),
    ("weight_loss", "no", ["yes", "unsure"]),
    ("fever", "no", ["mild_fever", "very_unwell", "unsure"]),
    ("recent_injury", "none", ["major", "minor", "unsure"]),
    ("unremitting", "no", ["yes", "unsure"]),
    ("aaa", "no", ["yes", "unsure"]),
    ("hands_gait", "no", ["yes_slowly", "yes_quickly", "unsure"]),
    ("hot_joint", "no", ["yes", "unsure"]),
] + [  # a follow-up moving from reassuring to still unsure (or to a warning answer)
    (qid, reassuring, [v for v in _choices(qid) if v != reassuring]) for qid, (_, reassuring) in FOLLOW_UPS.items()
]
MULTI_FLAGS = [
    ("risk_factors", ["injects_drugs", "immune_weak", "steroids", "osteoporosis", "recent_infection"]),
    ("neck_symptoms", ["severe_headache", "dizziness", "double_vision", "slurred_speech", "swallowing", "unsure"]),
    ("bone_pain_young", ["night_rest", "swelling", "progressive", "unsure"]),
]
FLAG_MUTATIONS = [(qid, base, value) for qid, base, values in CHOICE_FLAGS for value in values] + [
    (qid, None, value) for qid, values in MULTI_FLAGS for value in values
]


def _add(answers: dict[str, Any], qid: str, value: str) -> dict[str, Any]:
    """A copy of ``answers`` with ``value`` added to multi-choice ``qid``."""
    question = Q.question(qid)
    exclusive = {c.value for c in question.choices if c.exclusive}
    out = copy.deepcopy(answers)
    out[qid] = [v for v in out[qid] if v not in exclusive and v != value] + [value]
    return out


def test_flag_mutations_name_real_choices():
    assert {q.id for q in Q.questions if q.section == "safety"} == set(SAFETY_BASELINE)
    for qid, (parent, _) in FOLLOW_UPS.items():
        (condition,) = Q.question(qid).enable_when
        assert (condition.question, condition.operator, condition.answer) == (parent, "=", "unsure"), qid
    for qid, value in SAFETY_BASELINE.items():
        assert (value[0] if isinstance(value, list) else value) in _choices(qid)
    for qid, base, value in FLAG_MUTATIONS:
        assert value in _choices(qid)
        assert base is None or base in _choices(qid)


@PROPERTY
@given(answers=ANSWERS, mutation=st.sampled_from(FLAG_MUTATIONS))
def test_adding_a_red_flag_never_lowers_urgency(answers, mutation):
    qid, base, value = mutation
    if base is not None:
        assume(answers[qid] == base)
        flagged = answers | {qid: value}
    else:
        assume(value not in answers[qid])
        flagged = _add(answers, qid, value)
    before = run_triage(Q, answers).outcome
    after = run_triage(Q, flagged).outcome
    assert severity(after) >= severity(before), f"{qid}={value}: {before} -> {after}"


@PROPERTY
@given(answers=ANSWERS)
def test_same_answers_same_result(answers):
    first = run_triage(Q, answers)
    second = run_triage(Q, copy.deepcopy(answers))
    assert first.outcome == second.outcome
    assert first.decided_by == second.decided_by
    assert [r.rule_id for r in first.reasons] == [r.rule_id for r in second.reasons]
    assert [r.evidence for r in first.reasons] == [r.evidence for r in second.reasons]
    assert {k: v.value for k, v in first.scores.items()} == {k: v.value for k, v in second.scores.items()}
    assert [n.id for n in first.notes] == [n.id for n in second.notes]


def _remove_pm_indicator(answers: dict[str, Any], which: str, data: st.DataObject) -> dict[str, Any] | None:
    """``answers`` with one pain-management indicator weakened, or None if it is absent."""
    out = copy.deepcopy(answers)
    if which in ("pain_avg", "enjoyment", "activity"):
        if out[which] == 0:
            return None
        out[which] = data.draw(st.integers(0, out[which] - 1), label=f"lower {which}")
    elif which == "exercise_tried":
        if out[which] != "not_helped":
            return None
        out[which] = data.draw(st.sampled_from(["no", "short", "helped"]), label="exercise_tried")
    elif which == "cant_exercise":
        if out[which] == "no":
            return None
        out[which] = "sometimes" if out[which] == "yes" else "no"
    elif which == "onset":
        if out[which] != "after_surgery":
            return None
        out[which] = data.draw(st.sampled_from(["gradual", "unknown", "injury"]), label="onset")
    else:  # a multi-choice indicator: drop one chosen value
        values = {"medicines": ["prescribed", "opioid"], "procedures": ["surgery", "injection"]}.get(
            which, [c for c in _choices(which) if c != "none"]
        )
        present = [v for v in out[which] if v in values]
        if not present:
            return None
        drop = data.draw(st.sampled_from(present), label=f"drop from {which}")
        out[which] = [v for v in out[which] if v != drop]
    return out


PM_INDICATORS = ["pain_avg", "enjoyment", "activity", "exercise_tried", "cant_exercise", "onset",
                 "medicines", "procedures", "nerve_words", "nerve_cause", "crps_signs", "opioid_signs"]  # fmt: skip


@PROPERTY
@given(answers=ANSWERS, which=st.sampled_from(PM_INDICATORS), data=st.data())
def test_removing_a_pain_management_indicator_never_moves_physical_therapy_to_pain_management(answers, which, data):
    weaker = _remove_pm_indicator(answers, which, data)
    assume(weaker is not None)
    before = run_triage(Q, answers).outcome
    after = run_triage(Q, weaker).outcome
    assert not (before == "physical-therapy" and after == "pain-management"), which


#: Answers that are an emergency on their own, with the region that makes them asked.
EMERGENCY_FLAGS = [
    ({"bladder_bowel": "yes"}, "lower_back"),
    ({"bladder_bowel": "unsure", "bladder_check": "unsure"}, "lower_back"),
    ({"bladder_bowel": "unsure", "bladder_check": "no"}, "neck"),
    ({"saddle_numbness": "yes"}, "hip"),
    ({"saddle_numbness": "unsure", "saddle_check": "unsure"}, "lower_back"),
    ({"leg_weakness": "both_legs"}, "lower_back"),
    ({"leg_weakness": "one_leg_worse"}, "mid_back"),
    ({"leg_weakness": "unsure", "leg_check": "unsure"}, "lower_back"),
    ({"leg_weakness": "unsure", "leg_check": "no"}, "hip"),
    ({"recent_injury": "major"}, None),
    ({"recent_injury": "unsure", "injury_check": "unsure"}, None),
    ({"recent_injury": "unsure", "injury_check": "no"}, None),
    ({"aaa": "yes"}, "lower_back"),
    ({"aaa": "unsure", "aaa_check": "unsure"}, "mid_back"),
    ({"hands_gait": "yes_quickly"}, "neck"),
    ({"fever": "very_unwell"}, "lower_back"),
    ({"hot_joint": "yes", "fever": "mild_fever"}, "knee"),
    ({"hot_joint": "unsure", "hot_joint_check": "unsure", "fever": "unsure", "fever_check": "unsure"}, "shoulder"),
    ({"fever": "unsure", "fever_check": "chills"}, "neck"),
    ({"cancer_history": "yes", "leg_weakness": "one_leg_stable"}, "lower_back"),
    ({"cancer_history": "unsure", "cancer_check": "unsure", "pain_spreads": "limb_milder"}, "neck"),
    ({"cancer_history": "yes", "nerve_words": ["numbness"]}, "lower_back"),
    ({"neck_symptoms": ["dizziness"]}, "neck"),
    ({"neck_symptoms": ["severe_headache"]}, "neck"),
    ({"neck_symptoms": ["unsure"], "neck_check": "unsure"}, "neck"),
    ({"neck_symptoms": ["unsure"], "neck_check": "new"}, "neck"),
]


#: Under-16s are asked only the safety questions, so only flags made of those apply.
SAFETY_EMERGENCY_FLAGS = [(u, r) for u, r in EMERGENCY_FLAGS if all(Q.question(q).section == "safety" for q in u)]


@PROPERTY
@given(answers=ANSWERS, flag=st.sampled_from(EMERGENCY_FLAGS))
def test_any_emergency_red_flag_gives_emergency_whatever_else(answers, flag):
    updates, region = flag
    flagged = copy.deepcopy(answers) | updates
    if region is not None and region not in flagged["region"]:
        flagged["region"] = flagged["region"] + [region]
    if (updates, region) not in SAFETY_EMERGENCY_FLAGS and flagged["age_band"] == "under_16":
        flagged["age_band"] = "age_25_to_50"  # under-16s are asked only the safety questions
    result = run_triage(Q, flagged)
    assert result.outcome == "emergency", f"{updates} in {flagged['region']}: {result.outcome} by {result.decided_by}"


@PROPERTY
@given(answers=ANSWERS)
def test_every_result_is_explained_by_a_rule_and_scores_agree_with_the_rules(answers):
    result = run_triage(Q, answers)
    decisive = result.decisive_reason
    assert decisive is not None, "complete answers are always decided by a rule, never by the default"
    assert set(decisive.evidence) & (set(result.answers) | NEED_SCORES), decisive.rule_id
    score = {k: v.value for k, v in result.scores.items()}
    band = {k: v.band for k, v in result.scores.items()}
    # the displayed red-flag tier says the same as the red-flag rules
    assert score["red_flag_tier"] == severity(result.outcome)
    if severity(result.outcome) == 0 and result.outcome != "under-16":
        # the outcome follows from the two needs (docs/clinical-basis.md 6.3)
        pain, rehab = band["pain_relief_need"], band["rehabilitation_need"]
        if result.outcome == "both":
            assert pain == "high" and rehab == "high" or result.decided_by == "pain_blocks_rehab"
        elif result.outcome == "pain-management":
            assert pain == "high" and rehab != "high"
        elif result.outcome == "self-care":
            assert pain == "low" and rehab == "low" and score["recent_or_improving"] == 1
        else:
            assert result.outcome == "physical-therapy" and pain != "high"
        assert (score["psychosocial"] >= 4) == (score["rh_recovery_risk"] == 3)
        assert (score["startback_total"] >= 4) == (score["rh_recovery_risk"] >= 1)


@PROPERTY
@given(answers=ANSWERS, flag=st.sampled_from(SAFETY_EMERGENCY_FLAGS))
def test_red_flags_win_over_the_under_16_stop(answers, flag):
    updates, region = flag
    flagged = copy.deepcopy(answers) | updates | {"age_band": "under_16"}
    if region is not None and region not in flagged["region"]:
        flagged["region"] = flagged["region"] + [region]
    assert run_triage(Q, flagged).outcome == "emergency"


@PROPERTY
@given(answers=ANSWERS)
def test_under_16_is_asked_only_the_safety_questions(answers):
    result = run_triage(Q, answers | {"age_band": "under_16"})
    asked = {Q.question(qid).section for qid in result.answers}
    assert asked <= {"about", "safety"}
    assert result.outcome in ("emergency", "urgent", "under-16")


@PROPERTY
@given(answers=ANSWERS, followup=st.sampled_from(sorted(FOLLOW_UPS)))
def test_a_reassuring_follow_up_raises_no_red_flag_of_its_own(answers, followup):
    """'Not sure' answered reassuringly gives the same result as 'no' (the over-triage the follow-ups remove)."""
    parent, reassuring = FOLLOW_UPS[followup]
    base = copy.deepcopy(answers) | SAFETY_BASELINE
    if parent == "recent_injury":  # "could get up and walk" makes an injury of unknown severity a minor one
        base[parent] = "minor"
    unsure = base | {
        parent: ["unsure"] if Q.question(parent).type == "multi_choice" else "unsure",
        followup: reassuring,
    }
    if parent in ("leg_weakness", "bladder_bowel", "saddle_numbness") and not {"lower_back"} & set(base["region"]):
        unsure["region"] = unsure["region"] + ["lower_back"]
        base["region"] = unsure["region"]
    if parent == "bone_pain_young":
        base["age_band"] = unsure["age_band"] = "age_16_to_19"
    assert run_triage(Q, unsure).outcome == run_triage(Q, base).outcome


# -- the same safety properties, exhaustively over the written vignettes -------------------


def test_every_emergency_flag_added_to_every_vignette_gives_emergency():
    for path in VIGNETTE_FILES:
        answers = load_vignette(path)["answers"]
        for updates, region in EMERGENCY_FLAGS if answers["age_band"] != "under_16" else SAFETY_EMERGENCY_FLAGS:
            flagged = copy.deepcopy(answers) | updates
            if region is not None and region not in flagged["region"]:
                flagged["region"] = flagged["region"] + [region]
            # a newly chosen region asks questions the vignette never answered
            result = run_triage(Q, flagged, allow_missing=True)
            assert result.outcome == "emergency", f"{path.stem} + {updates}: {result.outcome}"


#: Answers that are red flags only together with something else (section 18: weak
#: flags alone must not send people to urgent care; cancer history and risk factors
#: need spinal pain, a fever needs spinal, new or worsening pain).
CONTEXT_DEPENDENT_FLAGS = {
    ("leg_weakness", "one_leg_stable"), ("leg_weakness", "both_legs_longstanding"), ("recent_injury", "minor"),
    ("fever", "mild_fever"), ("fever", "unsure"),
}  # fmt: skip


def test_adding_any_red_flag_to_any_vignette_never_lowers_urgency():
    for path in VIGNETTE_FILES:
        answers = load_vignette(path)["answers"]
        before = run_triage(Q, answers).outcome
        for qid, base, value in FLAG_MUTATIONS:
            if qid not in answers:
                continue  # not asked for this region
            if base is not None:
                if answers[qid] != base:
                    continue
                flagged = answers | {qid: value}
            elif value in answers[qid]:
                continue
            else:
                flagged = _add(answers, qid, value)
            if value == "unsure":  # still unsure after the follow-up
                flagged |= {f: "unsure" for f, (parent, _) in FOLLOW_UPS.items() if parent == qid}
            after = run_triage(Q, flagged).outcome
            assert severity(after) >= severity(before), f"{path.stem} + {qid}={value}: {before} -> {after}"
            always_flags = qid not in {"cancer_history", "risk_factors", *FOLLOW_UPS}
            if (qid, value) not in CONTEXT_DEPENDENT_FLAGS and always_flags:
                assert severity(after) >= 1, f"{path.stem} + {qid}={value} raised no red flag"
