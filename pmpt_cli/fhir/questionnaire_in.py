"""An R4 ``Questionnaire`` (or R4B/R5 where they agree) as a pmpt questionnaire document.

For ``pmpt questionnaires import``. Real files are messy, so the reading is lenient:
each problem is reported with its JSON path (``item[0].item[3].answerValueSet``); what
pmpt can take it takes, with a warning when something is approximated; features pmpt
cannot honour offline or at all (external value sets, ``initialExpression``,
``answerExpression``, data extraction, modular forms, an ``enableWhenExpression`` it did
not write) are refused unless ``skip_unsupported`` asks to leave them out. The result is
a dict in the TOML format (docs/questionnaire-format.md) with a ``[fhir]`` table that
lets ``pmpt questionnaires export`` write the same linkIds, codes and types back.
docs/fhir.md has the mapping.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from pmpt_cli.errors import PmptError, Problem
from pmpt_cli.fhir import (
    EXT_CALCULATED,
    EXT_ENABLE_WHEN_EXPRESSION,
    EXT_ITEM_CONTROL,
    EXT_MAX_VALUE,
    EXT_MIN_VALUE,
    EXT_OPTION_EXCLUSIVE,
    EXT_PMPT_DEFINITION,
    EXT_UNIT,
    EXT_VARIABLE,
    SDC,
    WEIGHT_EXTENSIONS,
)
from pmpt_cli.fhir.fhirpath import FhirPathError, parse
from pmpt_cli.records import Record

MAX_IMPORT_BYTES = 10_000_000
MAX_ITEM_DEPTH = 30

#: Extensions pmpt refuses (what they do cannot be done offline, or by pmpt at all).
REFUSED_EXTENSIONS = {
    SDC + "sdc-questionnaire-initialExpression": "initialExpression (answers filled in from other data)",
    SDC + "sdc-questionnaire-answerExpression": "answerExpression (options computed at run time)",
    SDC + "sdc-questionnaire-candidateExpression": "candidateExpression (options computed at run time)",
    SDC + "sdc-questionnaire-contextExpression": "contextExpression (options computed at run time)",
    SDC + "sdc-questionnaire-itemExtractionContext": "data extraction (itemExtractionContext)",
    SDC + "sdc-questionnaire-observationExtract": "data extraction (observationExtract)",
    SDC + "sdc-questionnaire-observationLinkPeriod": "data extraction (observationLinkPeriod)",
    SDC + "sdc-questionnaire-definitionExtract": "data extraction (definitionExtract)",
    SDC + "sdc-questionnaire-definitionExtractValue": "data extraction (definitionExtractValue)",
    SDC + "sdc-questionnaire-templateExtract": "data extraction (templateExtract)",
    SDC + "sdc-questionnaire-subQuestionnaire": "a modular form (subQuestionnaire)",
    SDC + "sdc-questionnaire-assemble-expectation": "a modular form (assemble-expectation)",
    SDC + "sdc-questionnaire-assembledFrom": "a modular form (assembledFrom)",
}
SIMPLE_TYPES = {
    "boolean": "yes_no", "decimal": "number", "integer": "number", "string": "text", "text": "text",
    "date": "date", "time": "time", "choice": "choice", "open-choice": "choice", "coding": "choice",
    "quantity": "number", "dateTime": "text", "url": "text",
}  # fmt: skip
#: FHIR item type -> the pmpt type's default FHIR type, when the import must remember the original.
DEFAULT_FHIR_TYPE = {"yes_no": "boolean", "number": "decimal", "text": "text", "date": "date", "time": "time",
                     "choice": "choice", "scale": "integer"}  # fmt: skip


class ImportRefused(PmptError):
    """The Questionnaire uses what pmpt cannot import; ``problems`` says where (exit 1)."""


class ImportResult(Record):
    """The pmpt questionnaire document, and what was approximated on the way (JSON path, message)."""

    document: dict[str, Any]
    warnings: tuple[Problem, ...]


def read_json(data: bytes, *, origin: str) -> Any:
    """JSON bytes, parsed strictly (input_files.load_json: a key given twice, nesting too
    deep or an absurd number is refused), with a message that says where it breaks."""
    from pmpt_cli.input_files import MAX_FHIR_NESTING, decode, load_json

    if len(data) > MAX_IMPORT_BYTES:
        raise ImportRefused(f"{origin}: larger than {MAX_IMPORT_BYTES // 1_000_000} MB; not a Questionnaire.")
    return load_json(decode(data, origin, error=ImportRefused), origin, error=ImportRefused, max_depth=MAX_FHIR_NESTING)


def import_questionnaire(
    resource: Any, *, origin: str = "<memory>", skip_unsupported: bool = False, qid: str | None = None
) -> ImportResult:
    """The pmpt questionnaire document for a FHIR ``Questionnaire``; raise ``ImportRefused``.

    ``skip_unsupported`` leaves unsupported parts out (each with a warning) instead of
    refusing the file; ``qid`` sets the pmpt id (default: from the resource's id or name).
    """
    importer = _Importer(origin, skip_unsupported)
    document = importer.run(resource, qid)
    if importer.errors:
        count = len(importer.errors)
        raise ImportRefused(
            f"{origin}: cannot import this Questionnaire ({count} problem{'s' if count != 1 else ''}). "
            + (f"Fix {'it' if count == 1 else 'them'}, or pass --skip-unsupported to leave the unsupported parts "
               "out." if importer.refusable and not skip_unsupported else "Fix them and try again."),
            problems=importer.errors,
        )  # fmt: skip
    return ImportResult(document, tuple(importer.warnings))


def slug(text: str, prefix: str) -> str:
    """A pmpt id (``[a-z][a-z0-9_]*``) made from any text: ``H1/T1/Q1`` -> ``h1_t1_q1``."""
    camel = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", text)
    word = re.sub(r"[^a-z0-9]+", "_", camel.lower()).strip("_")
    if not word or not word[0].isalpha():
        word = f"{prefix}_{word}" if word else prefix
    return word[:80].rstrip("_")


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


class _Item(Record):
    """One question as imported, for resolving conditions and scores."""

    id: str
    link_id: str
    type: str  # the pmpt type
    table: dict[str, Any]  # the question's TOML table
    options: list[dict[str, Any]]  # {value, label, weight, exclusive, kind, code, system}
    path: str
    item: dict[str, Any]  # the FHIR item


class _Importer:
    def __init__(self, origin: str, skip: bool) -> None:
        self.origin = origin
        self.skip = skip
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        self.refusable = False  # an error that --skip-unsupported would turn into a warning
        self.ids: dict[str, set[str]] = {"names": set(), "sections": set()}  # questions and scores share one
        self.links: dict[str, str] = {}  # linkId -> pmpt id (questions, sections, scores)
        self.items: dict[str, _Item] = {}  # linkId -> question
        self.order: list[str] = []  # question linkIds in order
        self.sections: list[dict[str, Any]] = []
        self.questions: list[dict[str, Any]] = []
        self.fhir: dict[str, Any] = {}
        self.value_sets: dict[str, list[dict[str, Any]]] = {}
        self.calculated: list[tuple[dict[str, Any], str, str, list[tuple[str, str]]]] = []  # item, path, section, vars
        self.loose = 0  # runs of top-level questions outside any group
        self.open_loose: dict[str, Any] | None = None  # the run the next top-level question joins
        self.children: dict[str | None, list[str]] = {None: []}  # linkId (None: the root) -> child linkIds
        self.description: list[str] = []
        self.extras: dict[str, Any] = {}  # pmpt's own extension, when the file came from pmpt
        self.score_items: list[tuple[dict[str, Any], str]] = []  # (item, section) of scores known from it

    # -- reporting -----------------------------------------------------------------------

    def error(self, path: str, message: str, hint: str = "") -> None:
        self.errors.append(Problem(path, message, hint))

    def warn(self, path: str, message: str) -> None:
        self.warnings.append(Problem(path, message))

    def unsupported(self, path: str, message: str) -> bool:
        """Refuse ``message``, or with ``skip_unsupported`` warn that it was left out; True when skipped."""
        if self.skip:
            self.warn(path, f"{message}: left out (--skip-unsupported)")
            return True
        self.refusable = True
        self.error(path, message, "pmpt cannot do this; --skip-unsupported leaves it out")
        return False

    def new_id(self, text: str, prefix: str, space: str = "names") -> str:
        """A fresh id for the item with linkId ``text``: the one pmpt's extension gives, else a slug of it."""
        renamed = self.extras.get("sections" if space == "sections" else "ids")
        known = renamed.get(text) if isinstance(renamed, dict) else None
        if isinstance(known, str) and known not in self.ids[space] and re.fullmatch(r"[a-z][a-z0-9_]*", known):
            self.ids[space].add(known)
            return known
        base = slug(text, prefix)
        ident, n = base, 2
        while ident in self.ids[space] or ident in ("true", "false", "none"):
            ident, n = f"{base}_{n}", n + 1
        self.ids[space].add(ident)
        return ident

    # -- the resource --------------------------------------------------------------------

    def run(self, resource: Any, qid: str | None) -> dict[str, Any]:
        if not isinstance(resource, dict):
            self.error("", "a FHIR resource is a JSON object")
            return {}
        if resource.get("resourceType") == "Bundle":
            resource = self.from_bundle(resource)
            if resource is None:
                return {}
        kind = resource.get("resourceType")
        if kind != "Questionnaire":
            self.error("resourceType", f"is {kind!r}, not 'Questionnaire'" if kind else "is missing",
                       "give the JSON of a FHIR Questionnaire")  # fmt: skip
            return {}
        self.read_definition(resource)
        self.check_extensions(resource, "")
        for i, contained in enumerate(_list(resource.get("contained"))):
            if isinstance(contained, dict) and contained.get("resourceType") == "ValueSet":
                self.read_value_set(contained, f"contained[{i}]")
        items = resource.get("item")
        if not isinstance(items, list) or not items:
            self.error("item", "must be a list" if items and not isinstance(items, list)
                       else "a Questionnaire needs items to import")  # fmt: skip
            items = []
        for i, item in enumerate(items):
            self.read_item(item, f"item[{i}]", None, 1)
        self.link_conditions()
        scores = self.read_scores()
        return self.document(resource, qid, scores)

    def from_bundle(self, bundle: dict[str, Any]) -> dict[str, Any] | None:
        found = [
            (i, e["resource"]) for i, e in enumerate(_list(bundle.get("entry")))
            if isinstance(e, dict) and isinstance(e.get("resource"), dict)
            and e["resource"].get("resourceType") == "Questionnaire"
        ]  # fmt: skip
        if not found:
            self.error("entry", "this Bundle holds no Questionnaire")
            return None
        if len(found) > 1:
            self.warn("entry", f"this Bundle holds {len(found)} Questionnaires; importing the first")
        return found[0][1]

    def read_definition(self, resource: dict[str, Any]) -> None:
        for i, ext in enumerate(_list(resource.get("extension"))):
            if isinstance(ext, dict) and ext.get("url") == EXT_PMPT_DEFINITION:
                try:
                    extras = json.loads(ext.get("valueString", ""))
                except (ValueError, RecursionError):
                    self.warn(f"extension[{i}]", "pmpt's extension is not valid JSON; ignored")
                    continue
                if isinstance(extras, dict):
                    self.extras = extras

    def own_scores(self) -> set[str]:
        """The score ids pmpt's extension defines."""
        return {
            t["id"] for t in _list(self.extras.get("scores")) if isinstance(t, dict) and isinstance(t.get("id"), str)
        }

    def place_score(self, item: dict[str, Any], ident: str, section: str) -> None:
        """Where a score's item stands and what it is, for the export."""
        link = item["linkId"]
        self.links[link] = ident
        self.remember(("scores", ident), item, link)
        fhir = self.fhir["scores"][ident]
        if isinstance(item.get("type"), str) and item["type"] != "decimal":
            fhir["type"] = item["type"]
        if section:
            fhir["section"] = section
        unit = _extension(item, EXT_UNIT)
        if unit and isinstance(unit.get("valueCoding"), dict) and unit["valueCoding"].get("display"):
            fhir["unit"] = unit["valueCoding"]["display"]
        if not fhir:
            del self.fhir["scores"][ident]

    def check_extensions(self, element: dict[str, Any], path: str) -> bool:
        """Refuse the extensions pmpt cannot honour; False when one was refused (not skipped)."""
        ok = True
        for i, ext in enumerate(_list(element.get("extension"))):
            url = ext.get("url") if isinstance(ext, dict) else None
            if isinstance(url, str) and url in REFUSED_EXTENSIONS:
                ok = self.unsupported(f"{path}.extension[{i}]" if path else f"extension[{i}]",
                                      f"{REFUSED_EXTENSIONS[url]} is not supported") and ok  # fmt: skip
        for i, ext in enumerate(_list(element.get("modifierExtension"))):
            where = f"{path}.modifierExtension[{i}]" if path else f"modifierExtension[{i}]"
            self.error(where, f"a modifier extension ({ext.get('url') if isinstance(ext, dict) else ext}) "
                              "changes the meaning of the form and pmpt does not know it")  # fmt: skip
            ok = False
        return ok

    def read_value_set(self, value_set: dict[str, Any], path: str) -> None:
        concepts: list[dict[str, Any]] = []
        compose = _dict(value_set.get("compose"))
        for i, include in enumerate(_list(compose.get("include"))):
            if not isinstance(include, dict):
                continue
            if not include.get("concept"):
                concepts.append({"external": f"{path}.compose.include[{i}]"})
            for concept in _list(include.get("concept")):
                if isinstance(concept, dict):
                    concepts.append({"system": include.get("system"), "code": concept.get("code"),
                                     "display": concept.get("display"), "weight": _weight(concept)})  # fmt: skip
        expansion = _dict(value_set.get("expansion"))
        if not concepts:
            for concept in _list(expansion.get("contains")):
                if isinstance(concept, dict):
                    concepts.append({"system": concept.get("system"), "code": concept.get("code"),
                                     "display": concept.get("display"), "weight": _weight(concept)})  # fmt: skip
        if isinstance(value_set.get("id"), str):
            self.value_sets[value_set["id"]] = concepts

    # -- items ---------------------------------------------------------------------------

    def read_item(self, item: Any, path: str, section: dict[str, Any] | None, depth: int) -> None:
        if depth > MAX_ITEM_DEPTH:
            self.error(path, f"items are nested more than {MAX_ITEM_DEPTH} deep")
            return
        if not isinstance(item, dict):
            self.error(path, "must be an object (an item)")
            return
        link = item.get("linkId")
        if not isinstance(link, str) or not link:
            self.error(f"{path}.linkId", "is required (a string)")
            return
        if link in self.children:
            self.error(f"{path}.linkId", f"'{link}' is used by another item too; linkIds must be unique")
            return
        self.children[link] = []
        self.children[section["_link"] if section is not None and "_link" in section else None].append(link)
        kind = item.get("type") if isinstance(item.get("type"), str) else repr(item.get("type"))
        if not self.check_extensions(item, path) and not self.skip:
            return
        if kind == "group":
            self.read_group(item, path, section, depth)
        elif kind == "display":
            self.read_display(item, path, section)
        elif _is_calculated(item):
            self.calculated.append((item, path, section["id"] if section else "", self.variables(item, path)))
        elif item.get("readOnly") is True and slug(link, "score") in self.own_scores():
            self.score_items.append((item, section["id"] if section else ""))  # a pmpt score FHIR cannot compute
        elif isinstance(kind, str) and kind in SIMPLE_TYPES:
            self.read_question(item, path, section or self.loose_section(), depth)
        elif kind in ("attachment", "reference", "question"):
            self.unsupported(f"{path}.type", f"'{kind}' items are not supported")
        else:
            self.error(f"{path}.type", f"unknown item type {kind!r}" if kind else "is missing")

    def loose_section(self) -> dict[str, Any]:
        """A section for a run of top-level questions outside any group (exported back without a group)."""
        if self.open_loose is None:
            self.loose += 1
            ident = self.new_id("questions" if self.loose == 1 else f"questions {self.loose}", "questions", "sections")
            self.open_loose = {"id": ident, "title": "Questions"}
            self.sections.append(self.open_loose)
            self.fhir.setdefault("sections", {})[ident] = {"group": False}
        return self.open_loose

    def read_group(self, item: dict[str, Any], path: str, parent: dict[str, Any] | None, depth: int) -> None:
        link = item["linkId"]
        if parent is None:
            self.open_loose = None  # top-level questions after this group start a new run
        if item.get("repeats") is True:
            self.unsupported(f"{path}.repeats", "repeating groups are not supported (it would be asked once)")
        ident = self.new_id(link, "group", "sections")
        self.links[link] = ident
        title = _text(item.get("text")) or link
        section: dict[str, Any] = {"id": ident, "title": title, "_path": path, "_item": item, "_link": link}
        if parent is not None:
            section["parent"] = parent["id"]
        self.sections.append(section)
        self.remember(("sections", ident), item, link)
        if item.get("item") is not None and not isinstance(item.get("item"), list):
            self.error(f"{path}.item", "must be a list")
        for i, child in enumerate(_list(item.get("item"))):
            self.read_item(child, f"{path}.item[{i}]", section, depth + 1)

    def read_display(self, item: dict[str, Any], path: str, section: dict[str, Any] | None) -> None:
        text = item.get("text")
        if not isinstance(text, str) or not text.strip():
            return
        if section is None:
            self.open_loose = None
            self.description.append(text)
            self.warn(path, "a display item outside any group: its text joins the description")
        else:
            if section.get("intro"):
                self.warn(path, "a second display item in a group: its text joins the section's intro")
            section["intro"] = f"{section['intro']}\n\n{text}" if section.get("intro") else text
        if item.get("enableWhen"):
            self.warn(f"{path}.enableWhen", "conditions on a display item are not kept: its text is always shown")

    def remember(self, key: tuple[str, str], item: dict[str, Any], link: str) -> None:
        table = self.fhir.setdefault(key[0], {}).setdefault(key[1], {})
        if link != key[1]:
            table["link_id"] = link
        codes = [c for c in _list(item.get("code")) if isinstance(c, dict)]
        if codes:
            table["code"] = [{k: v for k, v in c.items() if k in ("system", "code", "display") and isinstance(v, str)}
                             for c in codes]  # fmt: skip

    def read_question(self, item: dict[str, Any], path: str, section: dict[str, Any], depth: int) -> None:
        link, kind = item["linkId"], item["type"]
        ident = self.new_id(link, "q")
        self.links[link] = ident
        text = item.get("text")
        if not isinstance(text, str) or not text.strip():
            self.warn(f"{path}.text", "the item has no text; its linkId stands in")
            text = link
        prefix = item.get("prefix")
        if isinstance(prefix, str) and prefix.strip():
            text = f"{prefix.strip()} {text}"
        table: dict[str, Any] = {"id": ident, "section": section["id"], "type": SIMPLE_TYPES[kind], "text": text}
        self.remember(("questions", ident), item, link)
        fhir = self.fhir["questions"][ident]
        if kind not in ("integer",) and DEFAULT_FHIR_TYPE.get(table["type"]) != kind:
            fhir["type"] = kind
        if kind in ("dateTime", "url"):
            self.warn(f"{path}.type", f"a {kind} item is imported as a text question")
        if kind == "open-choice":
            self.warn(f"{path}.type", "open-choice: pmpt accepts only the listed options, not free text")
        table["required"] = item.get("required") is True
        options: list[dict[str, Any]] | None = []
        if table["type"] == "choice":
            options = self.read_options(item, path, ident, fhir)
            if item.get("repeats") is True:
                table["type"] = "multi_choice"
            if options is None:  # an external value set, skipped: free text instead
                table["type"], options = "text", []
                fhir["type"] = "string"
            else:
                table["choices"] = [
                    {"value": o["value"], "label": o["label"], **({"score": o["weight"]} if o["weight"] is not None
                                                                   else {}),
                     **({"exclusive": True} if o["exclusive"] and table["type"] == "multi_choice" else {})}
                    for o in options
                ]  # fmt: skip
                if len(options) < 2:
                    self.error(f"{path}.answerOption", "a choice needs at least two options")
        elif item.get("repeats") is True:
            self.warn(f"{path}.repeats", "a repeating answer: pmpt keeps one answer per question")
        if table["type"] == "number":
            self.read_number(item, path, table, kind)
        if table["type"] == "text" and _number(item.get("maxLength")) and item["maxLength"] >= 1:
            table["max_length"] = min(int(item["maxLength"]), 10_000)
        elif "maxLength" in item and table["type"] != "text":
            self.warn(f"{path}.maxLength", "applies only to text; ignored")
        if item.get("readOnly") is True:
            fhir["read_only"] = True
            table["required"] = False
            self.warn(f"{path}.readOnly", "pmpt has no read-only questions: it is asked as an optional question")
        if isinstance(item.get("initial"), list) and item["initial"]:
            value = _value(item["initial"][0], "value")
            if value is not None and isinstance(value[1], (str, int, float, bool)):
                fhir["initial"] = value[1]
            self.warn(f"{path}.initial", "pmpt does not pre-fill answers; the initial value is kept for export only")
        extra = (
            self.extras.get("questions", {}).get(ident, {}) if isinstance(self.extras.get("questions"), dict) else {}
        )
        self.apply_extras(table, extra)
        if not fhir:
            del self.fhir["questions"][ident]
        self.questions.append(table)
        self.items[link] = _Item(ident, link, table["type"], table, options or [], path, item)
        self.order.append(link)
        self.read_children(item, path, table, section, depth)  # after the question: they are asked after it

    def read_children(self, item: dict[str, Any], path: str, table: dict[str, Any], section: dict[str, Any],
                      depth: int) -> None:  # fmt: skip
        for i, child in enumerate(_list(item.get("item"))):
            where = f"{path}.item[{i}]"
            if isinstance(child, dict) and child.get("type") == "display":
                text = child.get("text")
                if isinstance(text, str) and text.strip():
                    table["help"] = f"{table['help']} {text}" if table.get("help") else text
                continue
            self.warn(where, "an item nested under a question is asked right after it")
            self.read_item(child, where, section, depth + 1)

    def apply_extras(self, table: dict[str, Any], extra: dict[str, Any]) -> None:
        """pmpt's own extension: what the FHIR item could not say (a scale, its labels...)."""
        if extra.get("type") == "scale" and table["type"] in ("number", "scale") and "min" in table and "max" in table:
            table["type"] = "scale"
            table.pop("integer", None)
            table.pop("unit", None)
            for key in ("min_label", "max_label"):
                if extra.get(key):
                    table[key] = extra[key]
        for value, text in (extra.get("choice_help") or {}).items():
            for choice in table.get("choices", []):
                if choice["value"] == value:
                    choice["help"] = text

    def read_number(self, item: dict[str, Any], path: str, table: dict[str, Any], kind: str) -> None:
        if kind == "integer":
            table["integer"] = True
        for url, key in ((EXT_MIN_VALUE, "min"), (EXT_MAX_VALUE, "max")):
            ext = _extension(item, url)
            value = _value(ext, "value") if ext else None
            if value is not None and _number(value[1]):
                table[key] = value[1]
        if "min" in table and "max" in table and table["min"] >= table["max"]:
            self.warn(f"{path}.extension", "minValue is not below maxValue; the bounds are left out")
            del table["min"], table["max"]
        unit = _extension(item, EXT_UNIT)
        coding = unit.get("valueCoding") if unit else None
        if isinstance(coding, dict) and isinstance(coding.get("display") or coding.get("code"), str):
            table["unit"] = coding.get("display") or coding.get("code")
        if kind == "quantity":
            self.warn(f"{path}.type", "a quantity item is imported as a number question (its unit is kept)")
        if kind == "integer" and "min" in table and "max" in table and _control(item) == "slider":
            table["type"] = "scale"
            del table["integer"]
            table.pop("unit", None)

    def read_options(self, item: dict[str, Any], path: str, ident: str, fhir: dict[str, Any]) -> list | None:
        """The options as ``{value, label, weight, exclusive}``, recording codes in ``fhir``; None when skipped."""
        raw: list[tuple[str, str, Any, Any, bool]] = []  # (path, kind, value, weight, exclusive)
        options = item.get("answerOption")
        if options is None and isinstance(item.get("option"), list):  # STU3
            options = item["option"]
            self.warn(f"{path}.option", "STU3 'option' read as answerOption")
        value_set = item.get("answerValueSet")
        if value_set is None and isinstance(item.get("options"), dict):  # STU3: a reference to the value set
            value_set = item["options"].get("reference")
        if isinstance(options, list):
            for i, option in enumerate(options):
                where = f"{path}.answerOption[{i}]"
                value = _value(option, "value") if isinstance(option, dict) else None
                if value is None:
                    self.error(where, "an answerOption needs one value[x]")
                    continue
                if value[0] not in ("Coding", "String", "Integer", "Date", "Time"):
                    self.unsupported(where, f"value{value[0]} options are not supported")
                    continue
                weight = _weight(option)
                if weight is None and value[0] == "Coding" and isinstance(value[1], dict):
                    weight = _weight(value[1])
                exclusive = (_extension(option, EXT_OPTION_EXCLUSIVE) or {}).get("valueBoolean") is True
                if isinstance(option, dict) and option.get("initialSelected"):
                    self.warn(f"{where}.initialSelected", "pmpt does not pre-select options; ignored")
                raw.append((where, value[0], value[1], weight, exclusive))
        elif isinstance(value_set, str):
            where = f"{path}.answerValueSet"
            if not value_set.startswith("#"):  # refused, or with --skip-unsupported a text question
                self.unsupported(where, f"the external value set {value_set} cannot be expanded offline")
                return None
            concepts = self.value_sets.get(value_set[1:])
            if concepts is None:
                self.error(where, f"no contained ValueSet with id '{value_set[1:]}'")
                return []
            for i, concept in enumerate(concepts):
                if "external" in concept:
                    self.unsupported(concept["external"], "a value set that includes a whole code system "
                                                          "cannot be listed offline")  # fmt: skip
                    return None
                coding = {k: concept[k] for k in ("system", "code", "display") if isinstance(concept.get(k), str)}
                raw.append((f"{where}#{i}", "Coding", coding, concept["weight"], False))
        else:
            self.error(path, "a choice item needs answerOption or answerValueSet")
            return []
        kinds = {kind for _, kind, _, _, _ in raw}
        if len(kinds) > 1:
            self.error(f"{path}.answerOption", f"options of several kinds ({', '.join(sorted(kinds))}) in one item")
            return []
        kind = kinds.pop() if kinds else "Coding"
        if kind != "Coding":
            fhir["option_type"] = kind.lower()
        systems = {v.get("system") for _, k, v, _, _ in raw if k == "Coding" and isinstance(v, dict)
                   and isinstance(v.get("system"), (str, type(None)))}  # fmt: skip
        if len(systems) == 1 and None not in systems:
            fhir["system"] = systems.pop()
        elif len(systems) > 1:
            fhir["systems"] = {}
        result: list[dict[str, Any]] = []
        values: set[str] = set()
        for where, kind, value, weight, exclusive in raw:
            if kind == "Coding":
                if not isinstance(value, dict) or not any(isinstance(value.get(k), str) for k in ("code", "display")):
                    self.error(where, "a coding needs a code")
                    continue
                code = value["code"] if isinstance(value.get("code"), str) else value["display"]
                label = value.get("display") if isinstance(value.get("display"), str) else code
            else:
                if kind == "Integer" and not isinstance(value, int):
                    self.error(where, "valueInteger must be a whole number")
                    continue
                code, label = value, str(value)
            if weight is not None and not _number(weight):
                self.warn(where, "the weight is not a number; ignored")
                weight = None
            base = slug(str(code), "c")
            choice_value, n = base, 2
            while choice_value in values:
                choice_value, n = f"{base}_{n}", n + 1
            values.add(choice_value)
            if code != choice_value:
                fhir.setdefault("codes", {})[choice_value] = code
            if "systems" in fhir and isinstance(value, dict) and value.get("system"):
                fhir["systems"][choice_value] = value["system"]
            result.append({"value": choice_value, "label": label or str(code), "weight": weight,
                           "exclusive": exclusive, "kind": kind, "code": code,
                           "system": value.get("system") if isinstance(value, dict) else None})  # fmt: skip
        if result and any(o["weight"] is not None for o in result) and any(o["weight"] is None for o in result):
            self.warn(path, "some options have a weight and some do not")
        return result

    def variables(self, item: dict[str, Any], path: str) -> list[tuple[str, str]]:
        found = []
        for ext in _list(item.get("extension")):
            if isinstance(ext, dict) and ext.get("url") == EXT_VARIABLE:
                expression = _dict(ext.get("valueExpression"))
                if isinstance(expression.get("name"), str) and isinstance(expression.get("expression"), str):
                    found.append((expression["name"], expression["expression"]))
        return found

    # -- conditions ----------------------------------------------------------------------

    def link_conditions(self) -> None:
        """enableWhen on groups and questions, now that every linkId is known."""
        for section in self.sections:
            item = section.pop("_item", None)
            path = section.pop("_path", "")
            link = section.pop("_link", None)
            if item is not None:
                first = next((i for i, x in enumerate(self.order) if self.within(x, link)), len(self.order))
                conditions = self.conditions(item, path, first, allow_expression=False)
                if conditions:
                    section.update(conditions)
        extra_questions = self.extras.get("questions", {}) if isinstance(self.extras.get("questions"), dict) else {}
        types = {item.id: item.type for item in self.items.values()}
        for link in self.order:
            entry = self.items[link]
            extra = extra_questions.get(entry.id, {})
            if "enable_if" in extra or "enable_when" in extra:  # written by pmpt: its own conditions
                if extra.get("enable_when"):
                    entry.table["enable_when"] = [
                        _condition({"question": q, "operator": op, "answer": answer}, types)
                        for q, op, answer in extra["enable_when"]
                    ]
                    entry.table["enable_behavior"] = extra.get("enable_behavior", "all")
                if extra.get("enable_if"):
                    entry.table["enable_if"] = extra["enable_if"]
                continue
            entry.table.update(self.conditions(entry.item, entry.path, self.order.index(link), allow_expression=True))

    def within(self, link: str, group: str | None) -> bool:
        """Whether item ``link`` is ``group`` or inside it."""
        stack = [group]
        while stack:
            current = stack.pop()
            if current == link:
                return True
            stack.extend(self.children.get(current, []))
        return False

    def conditions(self, item: dict[str, Any], path: str, before: int, *, allow_expression: bool) -> dict[str, Any]:
        """``{enable_when, enable_behavior}`` or ``{enable_if}`` for an item's enableWhen.

        ``before``: the position of the item's (first) question; a condition may only
        name a question asked earlier.
        """
        if _extension(item, EXT_ENABLE_WHEN_EXPRESSION) is not None:
            self.unsupported(f"{path}.extension", "an enableWhenExpression (FHIRPath) that pmpt did not write")
        raw = item.get("enableWhen")
        if not raw:
            return {}
        if not isinstance(raw, list):
            self.error(f"{path}.enableWhen", "must be a list")
            return {}
        behavior = item.get("enableBehavior", "all")
        if behavior not in ("all", "any"):
            self.warn(f"{path}.enableBehavior", f"{behavior!r} is not 'all' or 'any'; using 'all'")
            behavior = "all"
        terms: list[Any] = []  # each a condition table, or a list of them meaning "any of these"
        for i, condition in enumerate(raw):
            term = self.condition(condition, f"{path}.enableWhen[{i}]", before)
            if term is not None:
                terms.append(term)
        if not terms:
            return {}
        if all(isinstance(t, dict) for t in terms):
            return {"enable_when": terms, "enable_behavior": behavior}
        if len(terms) == 1 and terms[0]:  # one comparison that became several options
            return {"enable_when": terms[0], "enable_behavior": "any"}
        if not allow_expression:
            self.error(f"{path}.enableWhen", "these conditions together cannot be expressed on a group in pmpt")
            return {}
        joiner = " and " if behavior == "all" else " or "
        return {"enable_if": joiner.join(f"({_expression(t, self.items)})" for t in terms)}

    def condition(self, condition: Any, path: str, before: int) -> Any:
        if not isinstance(condition, dict):
            self.error(path, "must be an object")
            return None
        link, operator = condition.get("question"), condition.get("operator")
        target = self.items.get(link) if isinstance(link, str) else None
        if target is None:
            what = "a group or calculated item" if isinstance(link, str) and link in self.links else "no item"
            self.error(f"{path}.question", f"'{link}' is {what}; a condition names an earlier question")
            return None
        if self.order.index(target.link_id) >= before:
            self.error(f"{path}.question", f"'{link}' is asked later; pmpt asks questions in order, so a condition "
                                           "may only name a question before it")  # fmt: skip
            return None
        if operator not in ("exists", "=", "!=", ">", "<", ">=", "<="):
            self.error(f"{path}.operator", f"unknown operator {operator!r}")
            return None
        answer = _value(condition, "answer")
        if answer is None:
            self.error(path, "needs one answer[x]")
            return None
        kind, value = answer
        if operator == "exists":
            if not isinstance(value, bool):
                self.error(f"{path}.answer{kind}", "exists takes answerBoolean")
                return None
            return {"question": target.id, "operator": "exists", "answer": value}
        if kind == "Reference":
            self.unsupported(f"{path}.answerReference", "conditions on references are not supported")
            return None
        if target.type in ("choice", "multi_choice"):
            return self.choice_condition(target, operator, kind, value, path)
        converted = self.simple_answer(target, kind, value, f"{path}.answer{kind}")
        if converted is None:
            return None
        if operator in (">", "<", ">=", "<=") and target.type in ("yes_no", "text"):
            self.error(f"{path}.operator", f"'{operator}' cannot compare a {target.type} question")
            return None
        return {"question": target.id, "operator": operator, "answer": converted}

    def simple_answer(self, target: _Item, kind: str, value: Any, path: str) -> Any:
        if target.type == "yes_no":
            if isinstance(value, bool):
                return value
        elif target.type in ("number", "scale"):
            if kind == "Quantity" and isinstance(value, dict):
                value = value.get("value")
            if _number(value):
                return value
        elif target.type == "date":
            if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value[:10]):
                if len(value) > 10:
                    self.warn(path, "a date-time compared with a date question: only the date is kept")
                return value[:10]
        elif target.type == "time":
            if isinstance(value, str) and re.fullmatch(r"\d{2}:\d{2}(:\d{2})?(\.\d+)?", value):
                return value[:8] if len(value) >= 8 else f"{value}:00"
        elif isinstance(value, str):
            return value
        elif kind == "Coding" and isinstance(value, dict) and isinstance(value.get("code"), str):
            return value["code"]  # a coded condition on a question imported as free text
        self.error(path, f"answer{kind} {value!r} cannot be compared with {target.type} question '{target.id}'")
        return None

    def choice_condition(self, target: _Item, operator: str, kind: str, value: Any, path: str) -> Any:
        """A condition on a choice question: its option, or for ``<`` and the like the options it selects."""
        if operator in ("=", "!="):
            chosen = _match_option(target.options, kind, value)
            if chosen is None:
                self.error(f"{path}.answer{kind}", f"{_show(value)} is not an option of '{target.link_id}'")
                return None
            return {"question": target.id, "operator": operator, "answer": chosen}
        number = value.get("value") if kind == "Quantity" and isinstance(value, dict) else value
        if not _number(number) or number is None:
            self.error(f"{path}.answer{kind}", f"'{operator}' on a choice question needs a number")
            return None
        selected = []
        for option in target.options:
            try:
                code = float(option["code"])
            except (TypeError, ValueError):
                self.error(f"{path}.operator", f"'{operator}' compares options by number, and "
                                               f"{option['code']!r} is not one")  # fmt: skip
                return None
            if {"<": code < number, ">": code > number, "<=": code <= number, ">=": code >= number}[operator]:
                selected.append({"question": target.id, "operator": "=", "answer": option["value"]})
        self.warn(f"{path}.operator", f"'{operator} {_show(number)}' on coded options is kept as the options it "
                                      f"selects: {', '.join(s['answer'] for s in selected) or 'none'}")  # fmt: skip
        return selected

    # -- scores --------------------------------------------------------------------------

    def read_scores(self) -> list[dict[str, Any]]:
        scores = []
        for item, path, section, variables in self.calculated:
            link = item["linkId"]
            extension = _extension(item, EXT_CALCULATED)
            expression = (extension or {}).get("valueExpression") or {}
            source = expression.get("expression") if isinstance(expression, dict) else None
            if not isinstance(source, str):
                self.error(f"{path}.extension", "a calculatedExpression needs an expression")
                continue
            try:
                found = _recognise(source, dict(variables), _Tree(self.items, self.order, self.children))
            except FhirPathError as exc:
                found, reason = None, str(exc)
            else:
                reason = "it is not a sum of answer weights pmpt recognises"
            ident = self.new_id(link, "score")
            label = item.get("text") if isinstance(item.get("text"), str) and item["text"].strip() else link
            if found is None and ident in self.own_scores():  # pmpt's extension says how to compute it
                self.place_score(item, ident, section)
                continue
            if found is None:
                self.warn(f"{path}.extension", f"calculatedExpression {source!r} is kept as it is and not computed: "
                                               f"{reason}")  # fmt: skip
                kind = item.get("type") if isinstance(item.get("type"), str) else "decimal"
                table = {"link_id": link, "text": label, "type": kind, "expression": source}
                if variables:
                    table["variables"] = [{"name": n, "expression": e} for n, e in variables]
                if section:
                    table["section"] = section
                self.fhir.setdefault("calculated", {})[ident] = table
                continue
            method, links, needed = found
            items = [self.items[x].id for x in links]
            score: dict[str, Any] = {
                "id": ident, "label": label, "method": method, "items": items,
                "max_missing": max(0, len(items) - needed),
                "source": f"Imported from the calculatedExpression of FHIR item {link}: {source}"[:2000],
            }  # fmt: skip
            scores.append(score)
            self.place_score(item, ident, section)
        for item, section in self.score_items:
            self.place_score(item, self.new_id(item["linkId"], "score"), section)
        for score in scores:
            for ident in score["items"]:
                question = next(q for q in self.questions if q["id"] == ident)
                if question["type"] in ("choice", "multi_choice") and any(
                        "score" not in c for c in question.get("choices", [])):  # fmt: skip
                    self.error(self.items[next(k for k, v in self.items.items() if v.id == ident)].path,
                               f"score '{score['id']}' sums the weights of '{ident}', but some of its options "
                               "have no weight")  # fmt: skip
        return scores

    # -- the document --------------------------------------------------------------------

    def document(self, resource: dict[str, Any], qid: str | None, scores: list[dict[str, Any]]) -> dict[str, Any]:
        extras = self.extras
        ident = qid or extras.get("id") or _questionnaire_id(resource)
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", ident or ""):
            self.error("id", f"'{ident}' is not a valid pmpt questionnaire id", "pass --id with lowercase letters, "
                                                                               "digits and -")  # fmt: skip
        title = _text(resource.get("title")) or _text(resource.get("name")) or ident
        version = _text(resource.get("version"))
        if not version:
            version = "0"
            self.warn("version", "the Questionnaire has no version; it is imported as version '0'")
        language = _text(resource.get("language"))
        if not language:
            language = "en"
            self.warn("language", "the Questionnaire has no language; 'en' is assumed")
        licence = _text(resource.get("copyright"))
        if not licence:
            licence = "Not stated: the FHIR Questionnaire has no copyright"
            self.warn("copyright", "the Questionnaire states no copyright; check the licence before using it")
        document: dict[str, Any] = {"format": 1, "id": ident, "title": title, "version": version,
                                    "language": language, "licence": licence}  # fmt: skip
        description = "\n\n".join(filter(None, [_text(resource.get("description")), *self.description]))
        if description:
            document["description"] = description
        if isinstance(extras.get("minutes"), int):
            document["minutes"] = extras["minutes"]
        url = _text(resource.get("url"))
        citation = f"FHIR Questionnaire {url or resource.get('id') or ident}" + (f"|{version}" if url else "")
        own_sources = extras.get("sources")
        document["sources"] = (
            own_sources if isinstance(own_sources, list) else [{"id": "fhir", "citation": f"Imported from {citation}"}]
        )
        document["sections"] = self.sections
        document["questions"] = self.questions
        recognised = {s["id"]: s for s in scores}
        ordered = []
        for table in _list(extras.get("scores")):  # pmpt's own: labels, bands, MCID, and the methods FHIR lacks
            if not isinstance(table, dict) or not isinstance(table.get("id"), str):
                continue
            table = {**table, "bands": [_band(b) for b in table.get("bands", [])]} if table.get("bands") else table
            found = recognised.pop(table["id"], None)
            if found is not None:  # the method and items as the calculatedExpression says
                table = {**table, **{k: found[k] for k in ("method", "items", "max_missing")}}
            ordered.append(table)
        ordered += recognised.values()
        if ordered:
            document["scores"] = ordered
        for key in ("rules", "default", "notes", "outcomes", "checks"):
            if extras.get(key):
                document[key] = extras[key]
        if isinstance(document.get("notes"), list):
            document["notes"] = [self.note(table) for table in document["notes"]]
        fhir: dict[str, Any] = {}
        if url:
            fhir["url"] = url
        if _text(resource.get("name")):
            fhir["name"] = resource["name"]
        status = resource.get("status")
        if status in ("draft", "active", "retired", "unknown"):
            fhir["status"] = status
        elif status is not None:
            self.warn("status", f"{status!r} is not a FHIR status; left out")
        fhir.update({k: v for k, v in self.fhir.items() if v})
        if fhir:
            document["fhir"] = fhir
        return document

    def note(self, table: Any) -> Any:
        """A note from pmpt's extension, with the bounds in its ``unless`` conditions numbers again."""
        if not isinstance(table, dict) or not isinstance(table.get("watch_for"), list):
            return table
        types = {entry.id: entry.type for entry in self.items.values()}
        watch_for = []
        for advice in table["watch_for"]:
            if isinstance(advice, dict) and isinstance(advice.get("unless"), list):
                advice = {**advice, "unless": [_condition(c, types) for c in advice["unless"]]}
            watch_for.append(advice)
        return {**table, "watch_for": watch_for}


# -- recognising a sum of weights ------------------------------------------------------


class _Tree:
    """The form's items for reading paths: questions, their order, and who holds whom."""

    def __init__(self, items: dict[str, _Item], order: list[str], children: dict[str | None, list[str]]) -> None:
        self.items = items
        self.order = order
        self.children = children

    def below(self, links: list[str | None]) -> list[str | None]:
        found: list[str | None] = []
        stack = list(reversed(links))
        while stack:
            current = stack.pop()
            found.append(current)
            stack.extend(reversed(self.children.get(current, [])))
        return found

    def weighted(self, link: str) -> bool:
        return any(o["weight"] is not None for o in self.items[link].options)


def _recognise(source: str, variables: dict[str, str], tree: _Tree) -> tuple[str, list[str], int] | None:
    """``(method, item linkIds, answers needed)`` when ``source`` sums answer weights, else ``None``.

    The forms it knows: ``<items>.answer.value.weight().sum()`` (or ``ordinal()``, or the
    SDC ``%resource.answers().value...``) over all items, the items of a group or named
    items; the LHC-Forms idiom of one variable per item added up, guarded by
    ``iif(%any.exists()...)``; and pmpt's own ``iif(%scoreItems.count() >= N, ...)``.
    """
    node = parse(source)
    parsed = {name: parse(text) for name, text in variables.items()}
    guarded = node[0] == "call" and node[1] == "iif" and len(node[2]) == 3 and node[2][2] == ("empty",)
    if guarded:  # pmpt's own: iif(%scoreItems.count() >= N, <sum or mean>, {})
        test, total = node[2][0], node[2][1]
        if (test[0] == "op" and test[1] == ">=" and test[2] == ("invoke", ("var", "scoreItems"), "count", [])
                and test[3][0] == "num" and "scoreItems" in parsed):  # fmt: skip
            links = _combined(parsed["scoreItems"], tree)
            method = _pmpt_total(total)
            if links is not None and method is not None:
                return method, links, int(test[3][1])
    if node[0] == "invoke" and node[2] == "sum" and not node[3]:  # <items>.answer.value.weight().sum()
        links = _weights_of(node[1], tree)
        if links:
            return "sum", links, 1
    guard, body = (node[2][0], node[2][1]) if guarded else (None, node)
    terms = _terms(body)  # LHC-Forms: iif(%any, iif(%a.exists(), %a, 0) + ..., {}), or %a + %b + ...
    if not terms:
        return None
    links = []
    for name, _ in terms:
        found = _weights_of(parsed[name], tree) if name in parsed else None
        if not found or len(found) != 1:
            return None
        links.append(found[0])
    optional = [flag for _, flag in terms]
    if all(optional) and guard is not None and _any_exists(guard, parsed, {n for n, _ in terms}):
        return "sum", links, 1
    if not any(optional) and guard is None:
        return "sum", links, len(links)
    return None


def _terms(node: Any) -> list[tuple[str, bool]] | None:
    """``%a + iif(%b.exists(), %b, 0) + ...`` as ``[(name, optional)]``."""
    if node[0] == "op" and node[1] == "+":
        left, right = _terms(node[2]), _terms(node[3])
        return None if left is None or right is None else left + right
    if node[0] == "var":
        return [(node[1], False)]
    if (node[0] == "call" and node[1] == "iif" and len(node[2]) == 3 and node[2][2] == ("num", 0)
            and node[2][1][0] == "var" and node[2][0] == ("invoke", node[2][1], "exists", [])):  # fmt: skip
        return [(node[2][1][1], True)]
    return None


def _any_exists(node: Any, variables: dict[str, Any], names: set[str]) -> bool:
    """A guard that holds when any of ``names`` has a value: ``%a.exists() or ...``, maybe via a variable."""
    if node[0] == "var" and node[1] in variables and node[1] not in names:
        return _any_exists(variables[node[1]], {}, names)
    exists = set()
    stack = [node]
    while stack:
        part = stack.pop()
        if part[0] == "op" and part[1] == "or":
            stack += [part[2], part[3]]
        elif part[0] == "invoke" and part[2] == "exists" and part[1][0] == "var":
            exists.add(part[1][1])
        else:
            return False
    return exists == names


def _pmpt_total(node: Any) -> str | None:
    items = ("var", "scoreItems")
    if node == ("invoke", items, "sum", []):
        return "sum"
    if (node[0] == "invoke" and node[2] == "round" and node[3] == [("num", 2)] and node[1][0] == "op"
            and node[1][1] == "/" and node[1][2] == ("invoke", items, "sum", [])
            and node[1][3] == ("invoke", items, "count", [])):  # fmt: skip
        return "mean"
    return None


def _combined(node: Any, tree: _Tree) -> list[str] | None:
    """``a.combine(b).combine(c)``, each part the value of one item, as linkIds."""
    parts = []
    while node[0] == "invoke" and node[2] == "combine" and len(node[3]) == 1:
        parts.append(node[3][0])
        node = node[1]
    parts.append(node)
    links = []
    for part in reversed(parts):
        found = _weights_of(part, tree)
        if found is None or len(found) != 1:
            return None
        links.append(found[0])
    return links


def _weights_of(node: Any, tree: _Tree) -> list[str] | None:
    """The questions whose answer weights (or numbers) ``node`` reads, in order; None if it is not such a path.

    ``node`` is ``<answers>.weight()`` (or ``ordinal()``, or ``extension(...).value``) for
    weighted choices; ``iif(<sel>.answer.exists(), <answers>.weight().sum(), {})`` for a
    multiple choice; ``<answers>.select(iif($this, 1, 0))`` for yes/no; ``<answers>`` for
    numbers. ``<answers>`` is ``<selection>.answer.value`` or SDC's ``<selection>.answers().value``.
    """
    if node[0] == "call" and node[1] == "iif" and len(node[2]) == 3 and node[2][2] == ("empty",):
        inner = node[2][1]
        return _weights_of(inner[1], tree) if inner[0] == "invoke" and inner[2] == "sum" else None
    if node[0] == "invoke" and node[2] == "select":
        links = _answers(node[1], tree)
        return links if links and all(tree.items[x].type == "yes_no" for x in links) else None
    if node[0] == "invoke" and node[2] in ("weight", "ordinal") and not node[3]:
        links = _answers(node[1], tree)
    elif node[0] == "member" and node[2] == "value" and node[1][0] == "invoke" and node[1][2] == "extension":
        links = _answers(node[1][1], tree)
    else:
        links = _answers(node, tree)
        return links if links and all(tree.items[x].type in ("number", "scale") for x in links) else None
    if links is None:
        return None
    return [x for x in links if tree.weighted(x)] or None


def _answers(node: Any, tree: _Tree) -> list[str] | None:
    """``<selection>.answer.value`` or ``<selection>.answers().value``: the questions read."""
    if node[0] != "member" or node[2] != "value":
        return None
    node = node[1]
    if node[0] == "member" and node[2] == "answer":
        return _selection(node[1], tree, deep=False)
    if node[0] == "invoke" and node[2] == "answers" and not node[3]:
        return _selection(node[1], tree, deep=True)
    return None


def _selection(node: Any, tree: _Tree, *, deep: bool) -> list[str] | None:
    """The questions a path from ``%resource`` selects: ``item``, ``repeat(item)``, ``where(linkId ...)``."""
    steps = []
    while node is not None and node[0] in ("member", "invoke") and node[1] is not None:
        steps.append(node)
        node = node[1]
    if node == ("member", None, "item"):  # a path from the root without %resource
        steps.append(("member", ("var", "resource"), "item"))
    elif node != ("var", "resource"):
        return None
    current: list[str | None] = [None]
    for step in reversed(steps):
        if step[0] == "member" and step[2] == "item":
            current = [child for link in current for child in tree.children.get(link, [])]
        elif step[0] == "invoke" and ((step[2] == "repeat" and step[3] == [("member", None, "item")])
                                      or (step[2] == "descendants" and not step[3])):  # fmt: skip
            current = [x for x in tree.below(current) if x is not None and x not in current]
        elif step[0] == "invoke" and step[2] == "where" and len(step[3]) == 1:
            wanted = _link_filter(step[3][0])
            if wanted is None:
                return None
            current = [x for x in current if x in wanted]
        else:
            return None
    if deep:
        current = [x for x in tree.below(current) if x is not None]
    return [x for x in tree.order if x in current]


def _link_filter(node: Any) -> list[str] | None:
    """``linkId = 'a'``, ``linkId in ('a' | 'b')``, ``linkId = 'a' or linkId = 'b'``: the linkIds."""
    if node[0] == "op" and node[1] == "=" and node[2] == ("member", None, "linkId") and node[3][0] == "str":
        return [node[3][1]]
    if node[0] == "op" and node[1] == "in" and node[2] == ("member", None, "linkId"):
        values, stack = [], [node[3]]
        while stack:
            part = stack.pop()
            if part[0] == "op" and part[1] == "|":
                stack += [part[3], part[2]]
            elif part[0] == "str":
                values.append(part[1])
            else:
                return None
        return values
    if node[0] == "op" and node[1] == "or":
        left, right = _link_filter(node[2]), _link_filter(node[3])
        return None if left is None or right is None else left + right
    return None


# -- small readers ---------------------------------------------------------------------


def _dict(value: Any) -> dict[str, Any]:
    """A JSON object as a dict; anything else as an empty one."""
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    """A JSON array as a list; anything else (a messy file) as no elements."""
    return value if isinstance(value, list) else []


def _value(element: Any, prefix: str) -> tuple[str, Any] | None:
    if not isinstance(element, dict):
        return None
    for key, value in element.items():
        if key.startswith(prefix) and len(key) > len(prefix) and key[len(prefix)].isupper():
            return key[len(prefix) :], value
    return None


def _extension(element: Any, url: str) -> dict[str, Any] | None:
    if not isinstance(element, dict) or not isinstance(element.get("extension"), list):
        return None
    return next((e for e in element["extension"] if isinstance(e, dict) and e.get("url") == url), None)


def _weight(element: Any) -> Any:
    for url in WEIGHT_EXTENSIONS:
        ext = _extension(element, url)
        if ext is not None:
            value = _value(ext, "value")
            return value[1] if value is not None else None
    return None


def _control(item: dict[str, Any]) -> str | None:
    ext = _extension(item, EXT_ITEM_CONTROL)
    concept = (ext or {}).get("valueCodeableConcept")
    codings = concept.get("coding") if isinstance(concept, dict) else None
    if isinstance(codings, list) and codings and isinstance(codings[0], dict):
        return codings[0].get("code")
    return None


def _is_calculated(item: dict[str, Any]) -> bool:
    return _extension(item, EXT_CALCULATED) is not None


def _match_option(options: list[dict[str, Any]], kind: str, value: Any) -> str | None:
    """The option an enableWhen answer names: by code (and system), or a string by code or label."""
    for option in options:
        if kind == "Coding" and isinstance(value, dict):
            same_system = not value.get("system") or not option["system"] or value["system"] == option["system"]
            if value.get("code") == option["code"] and same_system:
                return option["value"]
        elif kind in ("String", "Integer", "Decimal", "Date", "Time"):
            if str(value) in (str(option["code"]), option["label"]):
                return option["value"]
    return None


def _expression(term: Any, items: dict[str, _Item]) -> str:
    """A condition (or a list meaning any of them) as a pmpt expression."""
    if isinstance(term, list):
        if not term:
            return "False"
        question = term[0]["question"]
        kind = next(v.type for v in items.values() if v.id == question)
        values = ", ".join(repr(t["answer"]) for t in term)
        return f"count({question}, {values}) >= 1" if kind == "multi_choice" else f"{question} in [{values}]"
    from pmpt_cli.builder import condition_source
    from pmpt_cli.model import EnableWhen, Question

    target = next(v for v in items.values() if v.id == term["question"])
    stub = Question(id=target.id, section="", type=target.type, text="")
    return condition_source(stub, EnableWhen(term["question"], term["operator"], term["answer"]))


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return repr(value.get("code") or value.get("display") or value)
    return repr(value)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _questionnaire_id(resource: dict[str, Any]) -> str:
    for key in ("id", "name", "title"):
        text = _text(resource.get(key))
        if text:
            word = re.sub(r"[^a-z0-9]+", "-", re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", text).lower()).strip("-")
            if word:
                return word[:64].strip("-")
    return "imported"


def _band(band: Any) -> Any:
    if isinstance(band, dict):
        return {k: (float(v) if v in _INFINITE else v) for k, v in band.items()}
    return band


_INFINITE = ("inf", "-inf")


def _condition(condition: Any, types: dict[str, str]) -> Any:
    """A condition written by pmpt's export: "inf" or "-inf" compared with a number or scale is that float."""
    if not isinstance(condition, dict):
        return condition
    answer, question = condition.get("answer"), condition.get("question")
    if isinstance(answer, str) and answer in _INFINITE and isinstance(question, str):
        if types.get(question) in ("number", "scale"):
            return {**condition, "answer": float(answer)}
    return condition


def document_toml(document: dict[str, Any], *, origin: str = "") -> str:
    """The imported questionnaire as a TOML file, with a header that says where it came from."""
    import tomli_w  # only the import path pays for it

    fhir = document.get("fhir", {})
    source = f"{fhir.get('url', origin)}|{document.get('version', '')}" if fhir.get("url") else origin
    header = (
        f"# Imported by pmpt from the FHIR Questionnaire {source}.\n"
        "# Check it with: pmpt questionnaires validate THIS_FILE  (and review the licence).\n"
    )
    return header + tomli_w.dumps(document)


class ImportedFile(Record):
    """What ``import_file`` made: the TOML text, the questionnaire it loads as, and the warnings."""

    text: str
    questionnaire: Any  # model.Questionnaire
    warnings: tuple[Problem, ...]


def import_file(
    data: bytes, *, origin: str, strict: bool = False, skip_unsupported: bool = False, qid: str | None = None
) -> ImportedFile:
    """FHIR JSON bytes to a pmpt questionnaire TOML file that loads; ``strict`` first checks the R4B model."""
    from pmpt_cli.loader import parse_questionnaire

    resource = read_json(data, origin=origin)
    if strict and isinstance(resource, dict):
        from pmpt_cli.fhir.strict import model_problems

        problems = model_problems(resource)
        if problems:
            raise ImportRefused(
                f"{origin}: the FHIR R4B model rejects it ({len(problems)} problem{'s' if len(problems) != 1 else ''}; "
                "--strict). Without --strict pmpt reads it leniently.",
                problems=problems,
            )
    result = import_questionnaire(resource, origin=origin, skip_unsupported=skip_unsupported, qid=qid)
    text = document_toml(result.document, origin=origin)
    return ImportedFile(text, parse_questionnaire(text.encode(), origin=origin), result.warnings)
