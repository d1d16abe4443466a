"""Settings from a TOML file (``--config``, else ``./kg.toml`` when present).

Example::

    base = "https://research-explorer.ista.ac.at"
    institution = "Institute of Science and Technology Austria"
    citation_style = "apa"

Command-line options override the file.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

from kg.mapping import MappingOptions

DEFAULT_CONFIG = "kg.toml"


class ConfigError(ValueError):
    pass


def load_config(path: str | None) -> dict[str, Any]:
    if path is None:
        if not Path(DEFAULT_CONFIG).is_file():
            return {}
        path = DEFAULT_CONFIG
    import tomllib  # here: most runs have no kg.toml, and the parser is 3 ms of every start-up

    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"{path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    known = {f.name for f in fields(MappingOptions)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"{path}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    return data


def mapping_options(config: dict[str, Any], **overrides: Any) -> MappingOptions:
    values = {**config, **{k: v for k, v in overrides.items() if v is not None}}
    return MappingOptions(**values)
