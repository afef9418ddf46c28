"""Copy the shippable statistics files (unmodified) and the licence / notice texts into
techbridge/data/stats/ and techbridge/data/licenses/.

Run: ``python -m techbridge.data.build.sources --shared /work/shared/data``
"""

from __future__ import annotations

import shutil
from pathlib import Path

from techbridge.data.build._common import DATA_DIR, LICENSES_DIR, STATS_DIR, parse_args

STATS_FILES: list[str] = [
    "techme_tech_market_by_province_long.csv",
    "techme_tech_market_by_province_wide.csv",
    "national_S_t.csv",
    "tech_contract_facts.csv",
    "seed_regional_facts.csv",
    "invoice_sector_signals_2026q1.csv",
    "anhui_2022H1_city_absorbed_contracts.csv",
]

# source path (relative to the shared folder) -> name under techbridge/data/licenses/
LICENSE_FILES: dict[str, str] = {
    "licenses/ydli-ai-CSL_LICENSE_section.md": "ydli-ai-CSL_LICENSE_section.md",
    "licenses/huhuaping-techme_LICENSE_MIT.md": "huhuaping-techme_LICENSE_MIT.md",
    "licenses/Mapping-Open-Science-Policy_LICENSE-DATA_CC-BY-4.0.txt": (
        "Mapping-Open-Science-Policy_LICENSE-DATA_CC-BY-4.0.txt"
    ),
    "benchmarks/cn_patent_ipc/lxingy3/LICENSE": "lxingy3-chinese-patent-ipc-classifier_LICENSE_MIT.txt",
    "benchmarks/cn_patent_ipc/lxingy3/DATA_NOTICE.md": "lxingy3-chinese-patent-ipc-classifier_DATA_NOTICE.md",
}


def copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    print(f"copied {dst.relative_to(DATA_DIR)}")


def main() -> None:
    args = parse_args(__doc__ or "")
    shared: Path = args.shared
    for name in STATS_FILES:
        copy(shared / "stats" / name, STATS_DIR / name)
    for src, name in LICENSE_FILES.items():
        copy(shared / src, LICENSES_DIR / name)


if __name__ == "__main__":
    main()
