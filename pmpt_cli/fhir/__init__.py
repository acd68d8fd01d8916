"""HL7 FHIR R4 in and out: Questionnaire export and import, QuestionnaireResponse out and in.

Part of the core: plain functions from data to data, no printing and no CLI. The
mapping is documented in docs/fhir.md. pmpt never runs FHIRPath; it writes FHIRPath
for other tools (calculatedExpression, enableWhenExpression) and recognises the few
idioms that sum answer weights when it imports.
"""

from __future__ import annotations

HL7 = "http://hl7.org/fhir/StructureDefinition/"
SDC = "http://hl7.org/fhir/uv/sdc/StructureDefinition/"

EXT_ITEM_WEIGHT = HL7 + "itemWeight"
EXT_ORDINAL_VALUE = HL7 + "ordinalValue"
EXT_CO_VALUE = HL7 + "iso21090-CO-value"  # the STU3-era weight
WEIGHT_EXTENSIONS = (EXT_ITEM_WEIGHT, EXT_ORDINAL_VALUE, EXT_CO_VALUE)
EXT_ITEM_CONTROL = HL7 + "questionnaire-itemControl"
ITEM_CONTROL_SYSTEM = "http://hl7.org/fhir/questionnaire-item-control"
EXT_MIN_VALUE = HL7 + "minValue"
EXT_MAX_VALUE = HL7 + "maxValue"
EXT_UNIT = HL7 + "questionnaire-unit"
EXT_OPTION_EXCLUSIVE = HL7 + "questionnaire-optionExclusive"
EXT_SLIDER_STEP = HL7 + "questionnaire-sliderStepValue"
EXT_VARIABLE = HL7 + "variable"
EXT_CALCULATED = SDC + "sdc-questionnaire-calculatedExpression"
EXT_ENABLE_WHEN_EXPRESSION = SDC + "sdc-questionnaire-enableWhenExpression"

#: pmpt's own extensions (docs/fhir.md): what FHIR has no place for.
EXT_PMPT_DEFINITION = "urn:pmpt:fhir:definition"  # rules, default, notes, score details... as JSON
EXT_PMPT_SHA256 = "urn:pmpt:fhir:questionnaire-sha256"  # the questionnaire file's content hash
EXT_PMPT_QUESTIONNAIRE_ID = "urn:pmpt:fhir:questionnaire-id"  # the pmpt id of the questionnaire a response answers
PMPT_QUESTIONNAIRE_URN = "urn:pmpt:questionnaire:"  # the canonical URL of a questionnaire without one
PMPT_IDENTIFIER_SYSTEM = "urn:pmpt:questionnaire"
PMPT_OUTCOME_SYSTEM = "urn:pmpt:outcome"
PMPT_RULE_SYSTEM = "urn:pmpt:rule"
FHIRPATH = "text/fhirpath"
