"""The registration certificate (登记证明): its content, and a PDF of it.

The PDF needs the optional ``pdf`` extra (fpdf2) and a CJK font already on the machine: Debian's
fonts-wqy-microhei, or Noto CJK. Nothing is downloaded; without a CJK font the PDF cannot show Chinese,
so the service says which package to install instead of printing boxes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from techbridge.config import Settings
from techbridge.domain.contract_workflow import State
from techbridge.errors import ConfigurationError, IllegalTransition
from techbridge.services.actor import Actor
from techbridge.services.contracts.workflow import get

FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/arphic/uming.ttc"),
)
CERTIFIED_STATES = (State.REGISTERED, State.AMENDED, State.OBJECTION)


def certificate(db: Any, settings: Settings, actor: Actor, contract_id: int, *, lang: str = "zh") -> dict[str, Any]:
    """What the certificate states: number, parties, 成交额 and 技术交易额, registration date."""
    item = get(db, settings, actor, contract_id, lang=lang)
    if not item["certificate_number"] or item["status"] not in CERTIFIED_STATES:
        raise IllegalTransition("This contract has no registration certificate (it is not registered)")
    keys = ("id", "certificate_number", "title", "contract_type_label", "subtype_label", "price", "tech_value",
            "registered_on", "signed_on", "registry_region", "status", "technology_field", "deductions")
    cert = {k: item[k] for k in keys}
    cert["seller"] = item["seller"]
    cert["buyer"] = item["buyer"]
    return cert


def cjk_font(candidates: tuple[Path, ...] = FONT_CANDIDATES) -> Path | None:
    return next((p for p in candidates if p.is_file()), None)


def certificate_pdf(cert: dict[str, Any], *, font: Path | None = None) -> bytes:
    """Render the certificate as a one-page A4 PDF."""
    try:
        from fpdf import FPDF
    except ImportError:
        raise ConfigurationError("PDF certificates need the pdf extra: pip install 'techbridge[pdf]'") from None
    font = font or cjk_font()
    if font is None:
        raise ConfigurationError("No Chinese font found for the PDF: apt-get install fonts-wqy-microhei "
                                 "(the HTML certificate page prints without it)")
    pdf = FPDF(format="A4")
    pdf.set_title(f"技术合同登记证明 {cert['certificate_number']}")
    pdf.add_font("cjk", "", str(font))
    pdf.add_page()
    pdf.set_font("cjk", size=20)
    pdf.cell(0, 16, "技术合同认定登记证明", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=11)
    pdf.cell(0, 8, f"登记编号 No. {cert['certificate_number']}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    lines = [
        ("项目名称", cert["title"]),
        ("合同类型", f"{cert['contract_type_label']} {cert['subtype_label'] or ''}".strip()),
        ("卖方（技术输出方）", f"{cert['seller']['name']}  {cert['seller'].get('credit_code') or ''}"),
        ("买方（技术吸纳方）", f"{cert['buyer']['name']}  {cert['buyer'].get('credit_code') or ''}"),
        ("签订日期", _d(cert["signed_on"])),
        ("成交额", f"{cert['price']:,.4f} 万元"),
        ("技术交易额", f"{cert['tech_value']:,.4f} 万元"),
        ("登记日期", _d(cert["registered_on"])),
        ("登记机构所在地区代码", cert["registry_region"] or ""),
    ]
    for name, value in lines:
        pdf.set_font("cjk", size=11)
        pdf.cell(50, 9, name, border=1)
        pdf.multi_cell(0, 9, str(value), border=1, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font("cjk", size=9)
    pdf.multi_cell(0, 6, "本证明依据技术合同认定登记记录生成，核对请访问登记系统并输入登记编号。"
                         "This certificate was generated from the registration record; verify it by its number.")
    return bytes(pdf.output())


def _d(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value or "")
