"""Over-triage that the "not sure" follow-ups remove (docs/clinical-validation.md).

Usage: python benchmarks/overtriage.py --before OLD.toml

Each author-written vignette whose expected outcome is not a red flag gets, for each red-flag
question it answered "no", one variant with that answer changed to "not sure". Each variant
is triaged by the old questionnaire (OLD.toml: pmpt-core 1.0.0, where "not sure" counts as
yes; get it with ``git show 48e029b:questionnaires/pmpt-core.toml > OLD.toml``), and by this
pmpt-core with the new follow-up answered "still unsure" and answered reassuringly. It
counts the outcomes that are urgent or emergency.
"""

import argparse
import collections
import copy
import pathlib
import sys
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pmpt_cli.engine import run_triage  # noqa: E402
from pmpt_cli.loader import load_questionnaire  # noqa: E402

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--before", required=True, type=pathlib.Path, help="pmpt-core 1.0.0 (see above)")
args = parser.parse_args()
q11 = load_questionnaire(ROOT / "questionnaires" / "pmpt-core.toml")
q10 = load_questionnaire(args.before)
NEW = {
    "bladder_check",
    "saddle_check",
    "leg_check",
    "cancer_check",
    "weight_check",
    "fever_check",
    "injury_check",
    "unremitting_check",
    "aaa_check",
    "neck_check",
    "hands_check",
    "hot_joint_check",
    "bone_pain_young",
    "bone_check",
    "pregnancy",
    "pelvic_girdle",
    "nerve_cause",
    "crps_signs",
    "opioid_use",
    "opioid_signs",
}
FOLLOW = {
    "bladder_bowel": ("bladder_check", "yes_normal"),
    "saddle_numbness": ("saddle_check", "same"),
    "leg_weakness": ("leg_check", "yes_normal"),
    "cancer_history": ("cancer_check", "no"),
    "weight_loss": ("weight_check", "same"),
    "fever": ("fever_check", "no"),
    "recent_injury": ("injury_check", "yes"),
    "unremitting": ("unremitting_check", "eases"),
    "aaa": ("aaa_check", "no"),
    "neck_symptoms": ("neck_check", "longstanding"),
    "hands_gait": ("hands_check", "same"),
    "hot_joint": ("hot_joint_check", "no"),
    "bone_pain_young": ("bone_check", "activity"),
}
RED = {"emergency", "urgent"}


def to10(a):
    b = {k: v for k, v in a.items() if k not in NEW}
    b["age_band"] = {"age_20_to_24": "age_20_to_50", "age_25_to_50": "age_20_to_50"}.get(b["age_band"], b["age_band"])
    if b.get("leg_weakness") == "both_legs_longstanding":
        b["leg_weakness"] = "both_legs"
    return b


def unsure(a, qid):
    out = copy.deepcopy(a)
    out[qid] = ["unsure"] if qid in ("neck_symptoms", "bone_pain_young") else "unsure"
    return out


rows = []
for p in sorted((ROOT / "tests" / "vignettes").glob("*.toml")):
    d = tomllib.loads(p.read_text())
    if d["origin"] != "author" or d["expected"] not in ("pain-management", "both", "physical-therapy", "self-care"):
        continue
    a = d["answers"]
    for qid, (check, reassuring) in FOLLOW.items():
        if qid not in a:
            continue  # not asked for this region or age
        if a[qid] not in ("no", "none", ["none"]):
            continue  # only add a 'not sure' where the vignette's answer is the ordinary 'no'
        if run_triage(q10, to10(a), allow_missing=True).outcome in RED:
            continue
        u = unsure(a, qid)
        before = run_triage(q10, to10(u), allow_missing=True).outcome if qid != "bone_pain_young" else None
        still = run_triage(q11, u | {check: "unsure"}).outcome
        after = run_triage(q11, u | {check: reassuring}).outcome
        base = run_triage(q11, a).outcome
        rows.append((p.stem, qid, base, before, still, after))

vign = sorted({r[0] for r in rows})
print(f"{len(vign)} author vignettes whose expectation is not a red flag; {len(rows)} variants (one 'not sure' each)")
per_q = collections.defaultdict(lambda: [0, 0, 0, 0])
for _stem, qid, _base, before, still, after in rows:
    c = per_q[qid]
    c[0] += 1
    c[1] += before in RED
    c[2] += still in RED
    c[3] += after in RED
print(
    "| question | variants | 1.0: urgent or emergency | 1.1, still unsure after the follow-up | 1.1, follow-up answered reassuringly |"
)
print("|---|---|---|---|---|")
tot = [0, 0, 0, 0]
for qid, c in per_q.items():
    b = "n/a (new in 1.1)" if qid == "bone_pain_young" else c[1]
    print(f"| `{qid}` | {c[0]} | {b} | {c[2]} | {c[3]} |")
    for i in range(4):
        tot[i] += c[i] if not (i == 1 and qid == "bone_pain_young") else 0
print(f"| all | {tot[0]} | {tot[1]} | {tot[2]} | {tot[3]} |")
# one 'not sure' per vignette: the first red-flag question asked, in questionnaire order
firsts = {}
for stem, qid, base, before, still, after in rows:
    if qid != "bone_pain_young":
        firsts.setdefault(stem, (qid, base, before, still, after))
n = len(firsts)
print(
    f"\nOne 'not sure' per vignette (the first safety question asked): {n} vignettes; urgent or emergency "
    f"in 1.0: {sum(v[2] in RED for v in firsts.values())}; 1.1 still unsure: {sum(v[3] in RED for v in firsts.values())}; "
    f"1.1 resolved: {sum(v[4] in RED for v in firsts.values())}"
)
changed = [(s, q, base, after) for s, q, base, before, still, after in rows if after != base]
print(f"\nResolved variants whose outcome differs from the vignette's own: {len(changed)}")
for s, q, base, after in changed:
    print("  ", s, q, base, "->", after)
