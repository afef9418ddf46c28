"""Build techbridge/data/demo/*.jsonl: fictional organisations and people, the demo technology
catalog (CSL papers and Chinese patents) and the demo SME demands.

Titles, abstracts, keywords, disciplines, IPC subclasses and demand texts are real source data.
Catalog attributes (owner, province, TRL, mode, price, dates, status, budget, deadline) are
generated from a seeded hash of each record's id and marked ``sample_attributes`` / ``sample_data``.

Run: ``python -m techbridge.data.build.demo --shared /work/shared/data``
"""

from __future__ import annotations

import collections
import datetime as dt
import re
from pathlib import Path
from typing import Any

from techbridge.data.build import _mappings as m
from techbridge.data.build._common import (
    DEMO_DIR,
    parse_args,
    read_csv,
    read_jsonl,
    seeded_choice,
    seeded_int,
    seeded_weighted,
    write_jsonl,
)
from techbridge.data.build._orgs import ORGS, Org
from techbridge.data.build._people import PEOPLE
from techbridge.data.build._tables import TRL
from techbridge.data.build._uscc import USCC_ALPHABET, make_uscc
from techbridge.data.build.codes import CSL_JSONL, PATENTS_CSV, ipc_subclass_field

SME_QUERIES = Path("benchmarks/sme_demands_dev/queries.jsonl")

LISTED_FROM = dt.date(2025, 6, 1)
LISTED_TO = dt.date(2026, 11, 30)
STAGE_OF_TRL = {level: stage for level, _, _, stage in TRL}

PAPER_TRL = [(2, 10), (3, 25), (4, 25), (5, 20), (6, 12), (7, 6), (8, 2)]
PATENT_TRL = [(3, 8), (4, 18), (5, 22), (6, 22), (7, 15), (8, 10), (9, 5)]
PAPER_MODES = [
    ("joint_development", 30),
    ("commissioned_development", 15),
    ("know_how_assignment", 15),
    ("know_how_license", 10),
    ("technical_service", 20),
    ("equity_contribution", 10),
]
PATENT_MODES = [
    ("patent_assignment", 30),
    ("patent_license_ordinary", 25),
    ("patent_license_sole", 8),
    ("patent_license_exclusive", 12),
    ("equity_contribution", 10),
    ("joint_development", 10),
    ("other", 5),
]
PRICES_WAN = [
    (3, 4),
    (5, 8),
    (8, 8),
    (10, 12),
    (15, 8),
    (20, 12),
    (30, 10),
    (50, 12),
    (80, 6),
    (100, 8),
    (150, 4),
    (200, 5),
    (300, 3),
    (500, 2),
    (800, 1),
    (1000, 1),
]
STATUS = [("listed", 70), ("negotiating", 15), ("closed", 8), ("withdrawn", 7)]
BUDGETS_WAN = [
    (5, 6),
    (10, 10),
    (20, 12),
    (30, 12),
    (50, 14),
    (80, 8),
    (100, 10),
    (150, 5),
    (200, 6),
    (300, 3),
    (500, 2),
]
WANTED_STAGE = [("lab_tested", 15), ("pilot_tested", 45), ("mass_production", 35), ("sample", 5)]
SOLUTION = [
    ("commissioned_development", 30),
    ("joint_development", 30),
    ("technology_transfer", 12),
    ("technology_license", 10),
    ("technical_service", 15),
    ("in_house", 3),
]

PUBLICATION_KIND = {"A": "invention_application", "B": "invention_grant", "U": "utility_model", "S": "design"}


def sample_date(start: dt.date, end: dt.date, *parts: object) -> dt.date:
    """A deterministic date in [start, end]."""
    return start + dt.timedelta(days=seeded_int(*parts) % ((end - start).days + 1))


def credit_code(org: Org) -> str:
    """A fictional but well-formed 统一社会信用代码 (both check characters computed)."""
    body = "".join(USCC_ALPHABET[seeded_int("uscc", org.external_id, i) % 31] for i in range(8))
    region = org.province_code[:2] + "0100"
    return make_uscc(org.registry, org.category, region, body)


def organisation_rows() -> list[dict[str, Any]]:
    return [
        {
            "external_id": o.external_id,
            "name_zh": o.name_zh,
            "name_en": o.name_en,
            "kind": o.kind,
            "size": o.size or None,
            "province_code": o.province_code,
            "credit_code": credit_code(o),
            "nature_code": o.nature_code,
            "technology_fields": list(o.fields),
            "description_zh": o.description,
            "sample_data": True,
        }
        for o in ORGS
    ]


def people_rows() -> list[dict[str, Any]]:
    return [
        {
            "external_id": p.external_id,
            "name_zh": p.name_zh,
            "name_en": p.name_en,
            "organisation": p.organisation,
            "role": p.role,
            "title_zh": p.title_zh,
            "expertise": list(p.expertise),
            "technology_fields": list(p.fields),
            "email": f"{p.external_id}@example.org",
            "sample_data": True,
        }
        for p in PEOPLE
    ]


def pick_org(candidates: list[Org], field: str | None, *parts: object) -> Org:
    """An organisation active in ``field`` if there is one, else any candidate."""
    fitting = [o for o in candidates if field in o.fields] or candidates
    return seeded_choice(fitting, *parts)  # type: ignore[no-any-return]


def contact_of(org_id: str, *parts: object) -> str | None:
    staff = [
        p.external_id
        for p in PEOPLE
        if p.organisation == org_id and p.role in ("researcher", "technology_manager", "enterprise_contact")
    ]
    return seeded_choice(staff, *parts) if staff else None


def catalog_attributes(rid: str, field: str | None, kind: str, owners: list[Org]) -> dict[str, Any]:
    """Generated listing attributes of one technology (sample data, not facts)."""
    owner = pick_org(owners, field, "owner", rid)
    trl = seeded_weighted(PATENT_TRL if kind == "patent" else PAPER_TRL, "trl", rid)
    modes = PATENT_MODES
    if kind == "patent" and rid.endswith("A"):  # unexamined application: its right can be assigned
        modes = [*PATENT_MODES, ("patent_application_assignment", 25)]
    elif kind != "patent":
        modes = PAPER_MODES
    negotiable = seeded_int("negotiable", rid) % 100 < 35
    return {
        "owner_organisation": owner.external_id,
        "contact_person": contact_of(owner.external_id, "contact", rid),
        "province_code": owner.province_code,
        "trl": trl,
        "stage": STAGE_OF_TRL[trl],
        "transaction_mode": seeded_weighted(modes, "mode", rid),
        "price_wan": None if negotiable else seeded_weighted(PRICES_WAN, "price", rid),
        "status": seeded_weighted(STATUS, "status", rid),
        "listed_at": sample_date(LISTED_FROM, LISTED_TO, "listed", rid).isoformat(),
        "sample_attributes": True,
    }


def technology_csl_rows(shared: Path) -> list[dict[str, Any]]:
    owners = [o for o in ORGS if o.kind in ("university", "research_institute")]
    rows = []
    for rec in read_jsonl(shared / CSL_JSONL):
        field = m.DISCIPLINE_TO_FIELD[rec["discipline"]][0]
        rows.append(
            {
                "external_id": rec["id"],
                "kind": "paper-result",
                "lang": "zh",
                "title": rec["title"],
                "abstract": rec["abstract"],
                "keywords": rec["keywords"],
                "discipline": rec["discipline"],
                "csl_category": rec["category"],
                "technology_field": field,
                **catalog_attributes(rec["id"], field, "paper-result", owners),
            }
        )
    return rows


# Tie-break order for patents whose subclasses split evenly between fields: the narrow fields
# first, the broad catch-alls (先进制造, 农业, 城市建设与社会发展) last. Editorial.
FIELD_TIE_ORDER = ["F08", "F02", "F04", "F06", "F10", "F01", "F05", "F07", "F03", "F09", "F11"]


def patent_field(subclasses: list[str]) -> str:
    """Majority field over a patent's IPC subclasses; ties follow FIELD_TIE_ORDER."""
    counts = collections.Counter(ipc_subclass_field(s)[0] for s in subclasses)
    best = max(counts.values())
    return min((f for f, n in counts.items() if n == best), key=FIELD_TIE_ORDER.index)


def technology_patent_rows(shared: Path) -> list[dict[str, Any]]:
    owners = [o for o in ORGS if o.kind in ("university", "research_institute", "enterprise")]
    rows = []
    for rec in read_csv(shared / PATENTS_CSV):
        pub = rec["publication_numbers"].strip()
        subclasses = [s for s in rec["true_subclasses_all"].split("|") if s]
        field = patent_field(subclasses)
        rows.append(
            {
                "external_id": pub,
                "kind": "patent",
                "lang": "zh",
                "title": rec["patent_title"].strip(),
                "ipc_subclasses": subclasses,
                "publication_kind": PUBLICATION_KIND.get(pub[-1], "other"),
                "technology_field": field,
                **catalog_attributes(pub, field, "patent", owners),
            }
        )
    return rows


_ZH_SENTENCE = re.compile(r"[^。！？!?]+")
_ZH_CLAUSE = re.compile(r"[^，,；;：:（()）]+")
_ZH_WANT = re.compile(
    r"(?<![不理思设])(想请人帮我们|想请人帮|想请人|想找人|想知道|想弄清楚|想要|想找|希望|需要|急需|想)"
)
_ZH_LEAD = re.compile(r"^(一整套|一套|一种|一个|一台|个)")
_EN_WANT = [
    re.compile(
        r"\b[Ww]e (?:only |really )?(?:want|would like|are looking for)(?: to)?\s+(?:(?:a|an|the|someone to)\s+)?"
    ),
    re.compile(r"\b[Ww]e (?:need|hope)(?: to)?\s+(?:(?:a|an|the|someone to)\s+)?"),
]
MIN_TITLE = 6


def _truncate(text: str, limit: int, words: bool) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if words and " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:-") + "…"


def _zh_title(text: str) -> str:
    wish = [s for s in _ZH_SENTENCE.findall(text) if _ZH_WANT.search(s)]
    if wish:
        sentence = wish[-1]  # the wish usually closes the demand
        hit = _ZH_WANT.search(sentence)
        assert hit is not None
        clauses = [c.strip() for c in _ZH_CLAUSE.findall(sentence[hit.end() :]) if c.strip()]
    else:
        clauses = [c.strip() for c in _ZH_CLAUSE.findall(_ZH_SENTENCE.findall(text)[0]) if c.strip()]
    if not clauses:
        return text.strip()
    title = _ZH_LEAD.sub("", clauses[0])
    for extra in clauses[1:]:  # too short to say anything: join the next clause
        if len(title) >= MIN_TITLE:
            break
        title += "，" + extra
    return title


def _en_title(text: str) -> str:
    rest = text
    for pattern in _EN_WANT:
        hit = pattern.search(text)
        if hit:
            rest = text[hit.end() :]
            break
    clause = re.split(r"[,;:.!?](?:\s|$)", rest, maxsplit=1)[0].strip()
    if len(clause) < MIN_TITLE:
        clause = re.split(r"[,;:.!?](?:\s|$)", text, maxsplit=1)[0].strip()
    return clause[:1].upper() + clause[1:]


def demand_title(text: str, lang: str, limit: int = 30) -> str:
    """Short title by rule: the clause that states the wish (zh 想要/希望/想知道…, en "we want/need…",
    the last wish sentence for zh, the first for en), its lead words dropped; a clause shorter than
    6 characters takes the next clause along; no wish found: the first clause. Cut to ``limit``
    characters (at a word boundary for English) with "…"."""
    if lang == "zh":
        return _truncate(_zh_title(text), limit, words=False)
    return _truncate(_en_title(text), limit, words=True)


def demand_rows(shared: Path) -> list[dict[str, Any]]:
    enterprises = [o for o in ORGS if o.kind == "enterprise"]
    queries = read_jsonl(shared / SME_QUERIES)
    by_id = {q["_id"]: q for q in queries}
    rows = []
    for q in queries:
        # An English demand renders a Chinese one: it shares the same generated attributes.
        key = q.get("zh_source") or q["_id"]
        discipline = q.get("discipline") or by_id.get(key, {}).get("discipline")
        field = m.DISCIPLINE_TO_FIELD[discipline][0] if discipline else None
        owner = pick_org(enterprises, field, "demand-owner", key)
        published = sample_date(dt.date(2025, 9, 1), LISTED_TO, "published", key)
        no_budget = seeded_int("no-budget", key) % 100 < 15
        rows.append(
            {
                "external_id": q["_id"],
                "lang": q["lang"],
                "title": demand_title(q["text"], q["lang"]),
                "description": q["text"],
                "zh_source": q.get("zh_source"),
                "discipline": discipline,
                "technology_field": field,
                "owner_organisation": owner.external_id,
                "contact_person": contact_of(owner.external_id, "demand-contact", key),
                "province_code": owner.province_code,
                "budget_wan": None if no_budget else seeded_weighted(BUDGETS_WAN, "budget", key),
                "wanted_stage": seeded_weighted(WANTED_STAGE, "stage", key),
                "solution_mode": seeded_weighted(SOLUTION, "solution", key),
                "published_at": published.isoformat(),
                "deadline": (published + dt.timedelta(days=90 + seeded_int("deadline", key) % 276)).isoformat(),
                "sample_data": True,
            }
        )
    return rows


def main() -> None:
    args = parse_args(__doc__ or "")
    shared: Path = args.shared
    write_jsonl(DEMO_DIR / "organisations.jsonl", organisation_rows())
    write_jsonl(DEMO_DIR / "people.jsonl", people_rows())
    write_jsonl(DEMO_DIR / "technologies_csl.jsonl", technology_csl_rows(shared))
    write_jsonl(DEMO_DIR / "technologies_patents.jsonl", technology_patent_rows(shared))
    write_jsonl(DEMO_DIR / "demands_sme.jsonl", demand_rows(shared))


if __name__ == "__main__":
    main()
