"""Synthetic technology contracts for demos and benchmarks; every one is marked sample data.

Seller provinces follow the 2023 输出 counts of the yearbook panel and buyer provinces its 吸纳 counts;
half of the buyers sit in the seller's own province (registries report most contracts as local);
a contract's value is log-normal around the seller province's mean value per contract in the panel.
Type, field, IPR and plan-source mixes are editorial guesses, not official shares. Parties come from a
fixed pool of synthetic organisations with valid credit codes. Deterministic for a given seed.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from techbridge.domain.codes import code_tables
from techbridge.domain.contract_codes import SUBTYPES
from techbridge.domain.identifiers import CREDIT_CODE_ALPHABET, credit_code_check_char
from techbridge.services.contracts.published import NATIONAL, read_panel

TYPE_MIX = {"service": 0.55, "development": 0.30, "consulting": 0.05, "transfer": 0.04, "license": 0.04,
            "other": 0.02}
IPR_MIX = {"none": 0.40, "know_how": 0.20, "invention_patent": 0.15, "software_copyright": 0.12,
           "utility_model": 0.06, "other_ipr": 0.04, "design_patent": 0.01, "plant_variety": 0.01,
           "ic_layout": 0.005, "biomed_variety": 0.005}
PLAN_MIX = {"none": 0.85, "provincial": 0.06, "municipal": 0.04, "national": 0.03, "ministry": 0.02}
PAYMENT_MIX = {"lump_sum": 0.35, "instalments": 0.50, "royalty": 0.05, "lump_sum_and_royalty": 0.05,
               "equity": 0.03, "other": 0.02}
SELLER_NATURES = {"022": 0.25, "021": 0.15, "150": 0.30, "170": 0.15, "110": 0.10, "300": 0.05}
BUYER_NATURES = {"150": 0.35, "170": 0.25, "110": 0.20, "160": 0.10, "013": 0.05, "021": 0.05}
ORGS_PER_PROVINCE = 60


@dataclass(frozen=True)
class _Org:
    name: str
    credit_code: str
    region_code: str


def _credit_code(rng: random.Random) -> str:
    body = "91" + "".join(rng.choice("0123456789") for _ in range(6)) + \
        "".join(rng.choice(CREDIT_CODE_ALPHABET) for _ in range(9))
    return body + credit_code_check_char(body)


class ContractGenerator:
    """Yields input records (as the API takes them) with a registration date spread over the given years."""

    def __init__(self, *, seed: int = 7, years: tuple[int, ...] = (2021, 2022, 2023, 2024, 2025),
                 base_year: int = 2023) -> None:
        self.rng = random.Random(seed)
        self.years = years
        panel = [r for r in read_panel() if r["year"] == base_year and r["region"] != NATIONAL]
        out = {r["region"]: r for r in panel if r["direction"] == "output" and r["n"]}
        inp = {r["region"]: r for r in panel if r["direction"] == "input" and r["n"]}
        self.sellers = sorted(out)
        self.seller_weights = [out[r]["n"] for r in self.sellers]
        self.buyers = sorted(inp)
        self.buyer_weights = [inp[r]["n"] for r in self.buyers]
        # Mean 万元 per contract of each seller province; log-normal sigma chosen for a heavy right tail.
        self.mean_wan = {r: out[r]["price_yuan"] / 10_000 / out[r]["n"] for r in out}
        self.sigma = 1.6
        self.orgs = {code: [self._org(code, i) for i in range(ORGS_PER_PROVINCE)]
                     for code in sorted(set(self.sellers) | set(self.buyers))}
        self.fields = sorted(code_tables().technology_fields)
        self.subtypes = {t: [s for s, (parent, _, _) in SUBTYPES.items() if parent == t] for t in TYPE_MIX}

    def _org(self, province: str, index: int) -> _Org:
        name = f"{code_tables().provinces[province].common_name_zh}示例单位{index:03d}（合成）"
        region = province[:2] + f"{1 + index % 5:02d}" + "00"
        return _Org(name, _credit_code(self.rng), region)

    def _pick(self, mix: dict[str, float]) -> str:
        return self.rng.choices(list(mix), weights=list(mix.values()))[0]

    def record(self, number: int) -> dict[str, Any]:
        rng = self.rng
        seller_region = rng.choices(self.sellers, weights=self.seller_weights)[0]
        local = rng.random() < 0.5
        buyer_region = seller_region if local else rng.choices(self.buyers, weights=self.buyer_weights)[0]
        seller = rng.choice(self.orgs[seller_region])
        buyer = rng.choice(self.orgs[buyer_region])
        if buyer.credit_code == seller.credit_code:
            buyer = self.orgs[buyer_region][(self.orgs[buyer_region].index(buyer) + 1) % ORGS_PER_PROVINCE]
        ctype = self._pick(TYPE_MIX)
        mean = self.mean_wan[seller_region]
        mu = math.log(mean) - self.sigma ** 2 / 2
        price = round(min(rng.lognormvariate(mu, self.sigma), 5_000_000.0), 2)
        deductions = []
        if ctype in ("development", "service") and rng.random() < 0.3:
            deductions.append({"item": rng.choice(("equipment", "materials", "parts")),
                               "amount": round(price * rng.uniform(0.05, 0.4), 2)})
        year = rng.choice(self.years)
        registered = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
        signed = registered - dt.timedelta(days=rng.randint(5, 90))
        return {
            "title": f"合成技术合同 {number:08d}（示例数据）",
            "contract_type": ctype, "subtype": rng.choice(self.subtypes[ctype]),
            "ipr_type": self._pick(IPR_MIX), "plan_source": self._pick(PLAN_MIX),
            "payment_mode": self._pick(PAYMENT_MIX), "technology_field": rng.choice(self.fields),
            "price": f"{price:.2f}", "deductions": deductions, "signed_on": signed.isoformat(),
            "registered_on": registered.isoformat(),
            "seller": {"name": seller.name, "credit_code": seller.credit_code, "region_code": seller.region_code,
                       "nature": self._pick(SELLER_NATURES)},
            "buyer": {"name": buyer.name, "credit_code": buyer.credit_code, "region_code": buyer.region_code,
                      "nature": self._pick(BUYER_NATURES)},
            "sample_data": True,
        }

    def batches(self, total: int, size: int = 10_000, start: int = 1) -> Iterator[list[tuple[int, dict[str, Any]]]]:
        """``total`` records in lists of ``size`` (line numbers are record numbers)."""
        number = start
        end = start + total
        while number < end:
            stop = min(number + size, end)
            yield [(n, self.record(n)) for n in range(number, stop)]
            number = stop
