"""Build techbridge/data/codes/*.csv: normalised national code tables, the project's code
lists and its editorial mappings onto the 11 technology fields.

Run: ``python -m techbridge.data.build.codes --shared /work/shared/data``
"""

from __future__ import annotations

import collections
from pathlib import Path

from techbridge.data.build import _mappings as m
from techbridge.data.build import _tables as t
from techbridge.data.build._common import CODES_DIR, parse_args, read_csv, read_jsonl, write_csv

PATENTS_CSV = Path("benchmarks/cn_patent_ipc/lxingy3/oof_predictions.csv")
CSL_JSONL = Path("benchmarks/csl_zh/csl_benchmark_2k.jsonl")


def industry_rows(shared: Path) -> list[dict[str, str]]:
    """Normalise GB/T 4754-2017 (门类/大类/中类/小类 columns) to code, name, level, parent_code.

    The source puts a 中类 that has a single 小类 on one row (both codes, one name); such a row
    yields two rows here. One source row merges two such groups ("277 278" / "2770 2780",
    two names separated by a space); it is split.
    """
    rows: list[dict[str, str]] = []
    section = division = ""
    for raw in read_csv(shared / "taxonomies/gbt4754_2017_industry_codes.csv"):
        sec, div, grp, cls = (raw[k].strip() for k in ("门类", "大类", "中类", "小类"))
        name = raw["名称"].strip()
        if sec:
            section = sec
            rows.append({"code": sec, "name": name, "level": "section", "parent_code": ""})
            continue
        if div:
            division = div
            rows.append({"code": div, "name": name, "level": "division", "parent_code": section})
            continue
        groups = grp.split() if grp else []
        classes = cls.split() if cls else []
        names = name.split() if len(groups) > 1 or len(classes) > 1 else [name]
        if groups and classes:
            if not (len(groups) == len(classes) == len(names)):
                raise ValueError(f"cannot split merged row {raw!r}")
            for g, c, n in zip(groups, classes, names, strict=True):
                rows.append({"code": g, "name": n, "level": "group", "parent_code": division})
                rows.append({"code": c, "name": n, "level": "class", "parent_code": g})
        elif groups:
            rows.append({"code": groups[0], "name": name, "level": "group", "parent_code": division})
        else:
            rows.append({"code": classes[0], "name": name, "level": "class", "parent_code": classes[0][:3]})
    seen: set[str] = set()
    for row in rows:
        if row["code"] in seen:
            raise ValueError(f"duplicate industry code {row['code']}")
        seen.add(row["code"])
        if row["parent_code"] and row["parent_code"] not in seen:
            raise ValueError(f"parent missing for {row}")
    return rows


# Codes whose children appear in the shared table but which are themselves missing from it;
# names from GB/T 13745-2009 (each confirmed by its "…其他学科" child in the source).
DISCIPLINES_RESTORED: dict[str, str] = {
    "19035": "发展心理学",
    "32044": "口腔医学",
    "850": "民族学与文化学",
    "85010": "民族问题理论",
}


def discipline_rows(shared: Path) -> list[dict[str, str]]:
    """Normalise GB/T 13745-2009: letter A–E = category (门类), 3 digits = primary (一级学科),
    5 digits = secondary (二级), 7 digits = tertiary (三级). Parents follow the code prefix; a
    primary discipline's parent is the category letter that precedes it in the source."""
    level_by_len = {1: "category", 3: "primary", 5: "secondary", 7: "tertiary"}
    rows: list[dict[str, str]] = []
    category = ""
    source = [
        (r["code"].strip(), r["name"].strip())
        for r in read_csv(shared / "taxonomies/gbt13745_2009_discipline_codes.csv")
    ]
    present = {c for c, _ in source}
    entries: list[tuple[str, str]] = []
    for code, name in source:
        # Restore missing ancestors (shortest first) just before their first child.
        for size in (3, 5):
            prefix = code[:size]
            if len(code) > size and prefix not in present and prefix in DISCIPLINES_RESTORED:
                entries.append((prefix, DISCIPLINES_RESTORED[prefix]))
                present.add(prefix)
        entries.append((code, name))
    for code, name in entries:
        level = level_by_len[len(code)]
        if level == "category":
            category = code
            parent = ""
        elif level == "primary":
            parent = category
        else:
            parent = code[: len(code) - 2]
        rows.append({"code": code, "name": name, "level": level, "parent_code": parent})
    codes = {r["code"] for r in rows}
    missing = [r for r in rows if r["parent_code"] and r["parent_code"] not in codes]
    if missing:
        raise ValueError(f"disciplines with missing parents: {missing[:5]}")
    return rows


def ipc_subclass_counts(shared: Path) -> collections.Counter[str]:
    """How many patents of the demo set carry each IPC subclass."""
    counts: collections.Counter[str] = collections.Counter()
    for row in read_csv(shared / PATENTS_CSV):
        counts.update(s for s in row["true_subclasses_all"].split("|") if s)
    return counts


def ipc_subclass_field(subclass: str) -> tuple[str, str, str]:
    """(field, basis, note) for an IPC subclass: subclass rule, else class rule, else section rule."""
    if subclass in m.IPC_SUBCLASS_TO_FIELD:
        field, note = m.IPC_SUBCLASS_TO_FIELD[subclass]
        return field, "subclass", note
    if subclass[:3] in m.IPC_CLASS_TO_FIELD:
        return m.IPC_CLASS_TO_FIELD[subclass[:3]], "class", ""
    return m.IPC_SECTION_TO_FIELD[subclass[0]][0], "section", ""


def main() -> None:
    args = parse_args(__doc__ or "")
    shared: Path = args.shared
    out = CODES_DIR

    industries = industry_rows(shared)
    write_csv(out / "industries_gbt4754_2017.csv", ["code", "name", "level", "parent_code"], industries)
    write_csv(out / "disciplines_gbt13745_2009.csv", ["code", "name", "level", "parent_code"], discipline_rows(shared))
    write_csv(
        out / "technology_fields.csv",
        ["code", "name_zh", "name_en"],
        ({"code": c, "name_zh": zh, "name_en": en} for c, zh, en in t.TECHNOLOGY_FIELDS),
    )
    write_csv(
        out / "blocs.csv",
        ["code", "name_zh", "name_en"],
        ({"code": c, "name_zh": zh, "name_en": en} for c, zh, en in t.BLOCS),
    )
    write_csv(
        out / "provinces_gbt2260.csv",
        ["code", "name_zh", "name_en", "short_name", "common_name_zh", "kind", "bloc"],
        (
            {"code": c, "name_zh": zh, "name_en": en, "short_name": ab, "common_name_zh": cn, "kind": k, "bloc": b}
            for c, zh, en, ab, cn, k, b in t.PROVINCES
        ),
    )
    write_csv(
        out / "stages.csv",
        ["code", "name_zh", "name_en", "ordinal"],
        ({"code": c, "name_zh": zh, "name_en": en, "ordinal": o} for c, zh, en, o in t.STAGES),
    )
    write_csv(
        out / "trl.csv",
        ["level", "name_zh", "name_en", "stage_code"],
        ({"level": lv, "name_zh": zh, "name_en": en, "stage_code": s} for lv, zh, en, s in t.TRL),
    )
    write_csv(
        out / "transaction_modes.csv",
        ["code", "name_zh", "name_en", "contract_type_zh", "contract_subtype_zh"],
        (
            {"code": c, "name_zh": zh, "name_en": en, "contract_type_zh": ct, "contract_subtype_zh": st}
            for c, zh, en, ct, st in t.TRANSACTION_MODES
        ),
    )
    write_csv(
        out / "listing_status.csv",
        ["code", "name_zh", "name_en"],
        ({"code": c, "name_zh": zh, "name_en": en} for c, zh, en in t.LISTING_STATUS),
    )
    write_csv(
        out / "solution_modes.csv",
        ["code", "name_zh", "name_en"],
        ({"code": c, "name_zh": zh, "name_en": en} for c, zh, en in t.SOLUTION_MODES),
    )

    # Editorial mappings.
    csl_disciplines = collections.Counter(r["discipline"] for r in read_jsonl(shared / CSL_JSONL))
    unmapped = sorted(set(csl_disciplines) - set(m.DISCIPLINE_TO_FIELD))
    if unmapped:
        raise ValueError(f"CSL disciplines without a field: {unmapped}")
    write_csv(
        out / "discipline_to_field.csv",
        ["discipline", "technology_field", "basis", "note", "csl_papers"],
        (
            {"discipline": d, "technology_field": f, "basis": b, "note": n, "csl_papers": csl_disciplines.get(d, 0)}
            for d, (f, b, n) in sorted(m.DISCIPLINE_TO_FIELD.items(), key=lambda kv: (kv[1][0], kv[0]))
        ),
    )
    write_csv(
        out / "ipc_section_to_field.csv",
        ["section", "name_zh", "name_en", "technology_field"],
        (
            {"section": s, "name_zh": zh, "name_en": en, "technology_field": f}
            for s, (f, zh, en) in sorted(m.IPC_SECTION_TO_FIELD.items())
        ),
    )
    counts = ipc_subclass_counts(shared)
    rows = []
    for sub in sorted(counts):
        field, basis, note = ipc_subclass_field(sub)
        rows.append({"subclass": sub, "technology_field": field, "basis": basis, "note": note, "patents": counts[sub]})
    write_csv(out / "ipc_subclass_to_field.csv", ["subclass", "technology_field", "basis", "note", "patents"], rows)

    division_names = {r["code"]: r["name"] for r in industries if r["level"] == "division"}
    write_csv(
        out / "field_to_industry.csv",
        ["technology_field", "industry_code", "industry_name"],
        (
            {"technology_field": f, "industry_code": d, "industry_name": division_names[d]}
            for f, divisions in sorted(m.FIELD_TO_INDUSTRY.items())
            for d in divisions
        ),
    )


if __name__ == "__main__":
    main()
