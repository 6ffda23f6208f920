"""Export the record models as JSON Schema files for editors and other tools."""

from __future__ import annotations

import json
from pathlib import Path

from .api import API_DOCUMENTS
from .records import RECORD_TYPES

SCHEMA_BASE = "https://interpcat.github.io/schema"
_SINGULAR = {"papers": "paper", "methods": "method", "criteria": "criterion"}


def schema_documents() -> dict[str, str]:
    """File name -> JSON text, one schema per record type and per site API document, from the models."""
    docs = {}
    models = {f"{_SINGULAR[kind]}.schema.json": model for kind, model in RECORD_TYPES.items()}
    models.update({f"{name}.schema.json": model for name, model in API_DOCUMENTS.items()})
    for name, model in models.items():
        schema = model.model_json_schema(mode="validation")
        schema = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"{SCHEMA_BASE}/{name}",
            **schema,
        }
        docs[name] = json.dumps(schema, indent=2, sort_keys=False, ensure_ascii=False) + "\n"
    return docs


def schema_file_for(kind: str) -> str:
    return f"{_SINGULAR[kind]}.schema.json"


def write_schemas(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in schema_documents().items():
        path = out_dir / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def stale_schemas(out_dir: Path) -> list[str]:
    """Names of schema files that are missing or differ from what the models generate."""
    stale = []
    for name, text in schema_documents().items():
        path = out_dir / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(name)
    return stale
