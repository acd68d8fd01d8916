"""Default wording of each outcome, used where a questionnaire does not word it."""

from __future__ import annotations

from pmpt_cli.model import OutcomeText

DEFAULT_OUTCOME_TEXTS: dict[str, OutcomeText] = {
    "emergency": OutcomeText(
        headline="Emergency: get medical help now",
        care="Some of your answers can be signs of a condition that needs hospital care today.",
        steps=(
            "Go to the emergency department now, or call your local emergency number.",
            "Do not wait to see if it gets better, and do not drive yourself if you feel unwell.",
        ),
        next="Show this summary to the clinician who sees you.",
    ),
    "urgent": OutcomeText(
        headline="Urgent: see a doctor within a day or two",
        care="Some of your answers need a doctor's check before any treatment for the pain itself.",
        steps=("Contact your GP or urgent care today and ask to be seen within a day or two.",),
        next="If you get worse, or develop new weakness, numbness or bladder or bowel changes, "
        "go to the emergency department.",
    ),
    "under-16": OutcomeText(
        headline="Under 16: see your GP or a children's health service",
        care="This questionnaire follows guidance written for people aged 16 and over, so it cannot advise "
        "a child or young person under 16. A GP or a children's (paediatric) service should assess the pain.",
        steps=("Book an appointment with your GP, or with the children's service that looks after you.",),
        next="If you get worse, or develop new weakness, numbness or bladder or bowel changes, "
        "go to the emergency department.",
    ),
    "pain-management": OutcomeText(
        headline="Pain management",
        care="A pain specialist treats the pain itself, mostly with treatments done to you: "
        "a review of medicines, nerve blocks, epidural steroid injections or radiofrequency ablation.",
        steps=("Ask your GP for a referral to a pain management service.",),
        next="Keep as active as the pain allows while you wait.",
    ),
    "physical-therapy": OutcomeText(
        headline="Physical therapy",
        care="A physical therapist treats the cause through active rehabilitation: "
        "therapeutic exercise, manual therapy and movement re-education.",
        steps=("Book with a physical therapist (physiotherapist); in many places you can refer yourself.",),
        next="Keep moving in ways you can manage while you wait.",
    ),
    "both": OutcomeText(
        headline="Pain management first, then physical therapy",
        care="An integrated pathway: a pain specialist first brings the pain down enough to open "
        "a window of opportunity, and physical therapy uses that window for active rehabilitation.",
        steps=(
            "First, a pain management assessment to bring the pain down.",
            "Then, physical therapy while the pain is lower, to treat the cause.",
        ),
        next="Ask your GP for a referral to both services, and say you want them coordinated.",
    ),
    "self-care": OutcomeText(
        headline="Self-care: manage it yourself for now",
        care="Recent, mild pain that does not stop you doing things usually settles by itself. "
        "Stay active, keep to your usual activities as far as you can, and use simple pain relief if needed.",
        steps=("Keep moving and carry on with your usual activities as much as you can.",),
        next="Come back to a health professional if it is not improving within a few weeks, "
        "if it gets worse, or if you notice any new symptoms.",
    ),
}
