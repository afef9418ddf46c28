"""The national code tables the catalog's fields use, read from the files shipped in techbridge/data/codes.

GB/T 4754-2017 industries, GB/T 13745-2009 disciplines, the 11 technology fields of the national
statistics, GB/T 2260 provinces and the regional blocs (京津冀, 长三角, 粤港澳). Loaded once on first use
(never at import) and shared read-only.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class Code:
    """One entry of a code table."""

    code: str
    name_zh: str
    name_en: str = ""
    level: str = ""
    parent: str = ""

    def label(self, lang: str) -> str:
        return self.name_en if lang == "en" and self.name_en else self.name_zh


@dataclass(frozen=True)
class Province:
    """A provincial-level division (GB/T 2260) and the bloc it belongs to, if any."""

    code: str
    name_zh: str
    name_en: str
    short: str
    bloc: str
    common_name_zh: str = ""

    def label(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_zh


@dataclass(frozen=True)
class CodeTables:
    industries: dict[str, Code]
    disciplines: dict[str, Code]
    technology_fields: dict[str, Code]
    provinces: dict[str, Province]
    blocs: dict[str, Code]

    def province_of(self, region_code: str) -> Province | None:
        """The province of any GB/T 2260 code (2-digit prefix), or None when unknown."""
        if len(region_code) < 2 or not region_code[:2].isdigit():
            return None
        return self.provinces.get(region_code[:2] + "0000")

    def bloc_of(self, region_code: str) -> str:
        province = self.province_of(region_code)
        return province.bloc if province else ""

    def field_for_discipline_name(self, name: str) -> str | None:
        return _discipline_to_field().get(name)


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("techbridge.data").joinpath("codes", name).read_text(encoding="utf-8-sig")
    return list(csv.DictReader(text.splitlines()))


def _code_table(name: str) -> dict[str, Code]:
    table: dict[str, Code] = {}
    for row in _rows(name):
        table[row["code"]] = Code(
            code=row["code"],
            name_zh=row.get("name_zh") or row.get("name") or "",
            name_en=row.get("name_en") or "",
            level=row.get("level") or "",
            parent=row.get("parent_code") or "",
        )
    return table


@functools.cache
def _discipline_to_field() -> dict[str, str]:
    mapping: dict[str, str] = {}
    for row in _rows("discipline_to_field.csv"):
        discipline = row.get("discipline") or row.get("discipline_name") or ""
        field = row.get("technology_field") or row.get("field_code") or ""
        if discipline and field:
            mapping[discipline] = field
    return mapping


@functools.cache
def code_tables() -> CodeTables:
    """All code tables, loaded on first call."""
    provinces: dict[str, Province] = {}
    for row in _rows("provinces_gbt2260.csv"):
        provinces[row["code"]] = Province(
            code=row["code"],
            name_zh=row["name_zh"],
            name_en=row["name_en"],
            short=row.get("short_name") or "",
            bloc=row.get("bloc") or "",
            common_name_zh=row.get("common_name_zh") or row["name_zh"],
        )
    return CodeTables(
        industries=_code_table("industries_gbt4754_2017.csv"),
        disciplines=_code_table("disciplines_gbt13745_2009.csv"),
        technology_fields=_code_table("technology_fields.csv"),
        provinces=provinces,
        blocs=_code_table("blocs.csv"),
    )
