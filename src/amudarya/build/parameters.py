"""The parameters a notebook declares, and the check of given values against them.

A notebook declares its parameters in its cell tagged `parameters`; a value given in
`notebooks/runs.yml` or on the command line is checked against that cell before any kernel
starts: an unknown name, a value of the wrong type, a country that is not an ISO 3166-1 alpha-3
code, a currency with no rate in `data/fx.csv`. Each mistake is one Problem that says what
would be valid.
"""

from __future__ import annotations

import ast
import difflib
from dataclasses import dataclass
from pathlib import Path

import pycountry
import yaml

from amudarya.build import paths
from amudarya.build.run import notebook_path, threads
from amudarya.data import keys, tables
from amudarya.data.errors import InputError, Problem
from amudarya.domain import fx

# A parameter whose help (its comment in the parameters cell) names the standard takes codes of it.
COUNTRY_HINT = "ISO 3166"
CURRENCY_HINT = "ISO 4217"

# Kinds of problem (Problem.kind); data/README.md explains each.
UNKNOWN_NOTEBOOK = "unknown notebook"
UNKNOWN_PARAMETER = "unknown parameter"
WRONG_TYPE = "wrong parameter type"
NOT_A_COUNTRY = "not a country code"
BAD_NOTEBOOK = "not a notebook"
KINDS = (UNKNOWN_NOTEBOOK, UNKNOWN_PARAMETER, WRONG_TYPE, NOT_A_COUNTRY, BAD_NOTEBOOK)


@dataclass(frozen=True)
class Parameter:
    name: str
    default: object
    type_name: str
    help: str

    @property
    def is_country(self) -> bool:
        return COUNTRY_HINT in self.help

    @property
    def is_currency(self) -> bool:
        return CURRENCY_HINT in self.help


def _inspect(path: Path) -> dict:
    import papermill  # slow to import (see declared), so only when a run needs it

    try:
        return papermill.inspect_notebook(str(path))
    except ValueError as exc:  # nbformat's NotJSONError and friends: a hand-edited notebook
        raise InputError(
            Problem(
                str(Path("notebooks") / path.name),
                f"not a notebook: the file cannot be read as one: {exc}"[:300],
                expected="a Jupyter notebook (restore it with git, or re-save it from Jupyter)",
                kind=BAD_NOTEBOOK,
            )
        ) from None


def notebook_parameters(path: Path) -> dict[str, Parameter]:
    """The parameters a notebook declares in its cell tagged `parameters`, with defaults."""
    return _parameters(_inspect(path))


def declared(root: Path, path: Path) -> dict[str, Parameter]:
    """notebook_parameters(), remembered by the notebook's content: importing papermill alone
    takes longer than a whole build with nothing to do."""
    key = keys.digest(path.read_bytes(), keys.versions(("papermill",)))
    return _parameters(keys.remembered(root, "parameters", key, lambda: _inspect(path)))


def _parameters(found: dict) -> dict[str, Parameter]:
    params = {}
    for name, info in found.items():
        try:
            default = ast.literal_eval(info["default"])
        except (ValueError, SyntaxError):
            default = info["default"]
        type_name = info.get("inferred_type_name") or type(default).__name__
        if type_name == "None":
            type_name = type(default).__name__
        params[name] = Parameter(name, default, type_name, info.get("help") or "")
    return params


def did_you_mean(value, choices) -> str:
    """' (did you mean 'x'?)' for the closest of `choices`, or nothing when none is close."""
    close = difflib.get_close_matches(str(value), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _country_problem(where: str, name: str, value) -> Problem | None:
    if isinstance(value, str) and len(value) == 3 and value.isupper() and pycountry.countries.get(alpha_3=value):
        return None
    suggestion = ""
    if isinstance(value, str):
        try:
            guess = pycountry.countries.lookup(value)
            suggestion = f" (did you mean {guess.alpha_3}, {guess.name}?)"
        except LookupError:
            pass
    return Problem(
        where,
        "not a country code: not an ISO 3166-1 alpha-3 country code" + suggestion,
        field=name,
        value=value,
        expected="three capital letters such as KAZ, KGZ, TJK, TKM, UZB, AFG or PAK",
        kind=NOT_A_COUNTRY,
    )


def _currency_problem(root: Path, where: str, name: str, value) -> Problem | None:
    """A currency must be US dollars or have a rate in data/fx.csv (the only rates the book uses)."""
    if value == fx.BASE:
        return None
    rates = tables.load(tables.data_dir(root))["fx"]
    message = fx.problem_with(value, rates)
    if message is None:
        return None
    return Problem(where, message, field=name, value=value, expected=fx.valid_text(rates))


_TYPES = {"str": str, "int": int, "float": (int, float), "bool": bool, "list": list, "dict": dict}
_TYPE_WORDS = {
    "str": "text",
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "list": "a list",
    "dict": "a mapping",
    "NoneType": "nothing",
}


def _type_words(type_name: str) -> str:
    return _TYPE_WORDS.get(type_name, "a " + type_name)


def _unknown_notebook(root: Path, where: str, thread: str) -> Problem:
    known = threads(root)
    return Problem(
        where,
        f"unknown notebook: notebooks/{thread}.ipynb does not exist",
        field="notebook",
        value=thread,
        expected="the name of a notebook in notebooks/, without .ipynb: "
        + ", ".join(known)
        + did_you_mean(str(thread).removesuffix(".ipynb"), known),
        kind=UNKNOWN_NOTEBOOK,
    )


def _type_problem(where: str, param: Parameter, value) -> Problem | None:
    wanted = _TYPES.get(param.type_name)
    # A bool is an int to Python, but true is not a number to a person writing runs.yml.
    if not wanted or (isinstance(value, wanted) and (param.type_name == "bool" or not isinstance(value, bool))):
        return None
    takes = _type_words(param.type_name)
    return Problem(
        where,
        f"wrong parameter type: '{param.name}' takes {takes}, not {_type_words(type(value).__name__)}",
        field=param.name,
        value=value,
        expected=f"{takes} like its default {param.default!r}" + (f" ({param.help})" if param.help else ""),
        kind=WRONG_TYPE,
    )


def _value_problems(root: Path, where: str, param: Parameter, value) -> list[Problem]:
    """What is wrong with one value of a declared parameter: its type first, then its codes."""
    wrong_type = _type_problem(where, param, value)
    if wrong_type:
        return [wrong_type]
    found: list[Problem | None] = []
    if param.is_country:
        found += [_country_problem(where, param.name, item) for item in (value if isinstance(value, list) else [value])]
    if param.is_currency:
        found.append(_currency_problem(root, where, param.name, value))
    return [p for p in found if p]


def check_parameters(root: Path, thread: str, given: dict, where: str | None = None) -> list[Problem]:
    """Problems with `given` parameters for a thread: unknown names, wrong types, bad codes.

    Runs before any kernel starts, against the notebook's own parameters cell.
    """
    where = where or f"run of '{thread}'"
    outside = paths.notebook_problem(root, where, thread)
    if outside:
        return [outside]
    path = notebook_path(root, thread)
    if not path.is_file():
        return [_unknown_notebook(root, where, thread)]
    params = declared(root, path)
    problems = []
    for name, value in given.items():
        if name in params:
            problems += _value_problems(root, where, params[name], value)
        else:
            problems.append(
                Problem(
                    where,
                    f"unknown parameter: notebook '{thread}' has no parameter '{name}'",
                    field=name,
                    value=value,
                    expected="one of " + ", ".join(sorted(params)) + did_you_mean(name, params),
                    kind=UNKNOWN_PARAMETER,
                )
            )
    return problems


def parse_cli_value(text: str):
    """A command-line parameter value: YAML, so `KAZ` is text, `3` a number, `[KAZ, KGZ]` a list."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text
