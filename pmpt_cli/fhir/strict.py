"""``--strict``: check a FHIR resource against the R4B models of the ``fhir.resources`` package.

That package is not a dependency of pmpt (it pulls in pydantic, about 100 ms to import);
``pip install fhir.resources`` makes ``--strict`` work, and without it pmpt says so.
"""

from __future__ import annotations

import importlib
from typing import Any

from pmpt_cli.errors import PmptError, Problem


def model_problems(resource: dict[str, Any]) -> list[Problem]:
    """Every violation of the R4B model of the resource's type, each with its JSON path."""
    try:
        importlib.import_module("fhir.resources.R4B")
    except ModuleNotFoundError:
        raise PmptError(
            "--strict checks the file with the FHIR R4B models of the fhir.resources package, which is not "
            "installed. Install it with: pip install fhir.resources"
        ) from None
    kind = str(resource.get("resourceType"))
    try:
        module = importlib.import_module(f"fhir.resources.R4B.{kind.lower()}")
    except ModuleNotFoundError:
        return [Problem("resourceType", f"{kind!r} is not an R4B resource type")]
    model = getattr(module, kind, None)
    if model is None:
        return [Problem("resourceType", f"{kind!r} is not an R4B resource type")]
    from pydantic import ValidationError

    try:
        model.model_validate(resource)
    except ValidationError as exc:
        return [Problem(_path(error["loc"]), error["msg"]) for error in exc.errors()]
    return []


def _path(location: tuple[Any, ...]) -> str:
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path
