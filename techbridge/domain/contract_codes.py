"""Code tables of the technology-contract registration record (DOMAIN.md §1), with zh/en labels.

These vocabularies are what registries print on the 登记表 and what the national statistics cut by:
contract type and subtype, 知识产权类型, 计划来源, 支付方式, the party-nature code table and the
deduction items that separate 技术交易额 from 成交额. They are small and stable, so they live here as
plain dicts (type-checked), not in the database.
"""

from __future__ import annotations

# Contract types → (zh, en, subtypes). Licences are their own type since Civil Code art. 862.
CONTRACT_TYPES: dict[str, tuple[str, str]] = {
    "development": ("技术开发", "Technology development"),
    "transfer": ("技术转让", "Technology transfer"),
    "license": ("技术许可", "Technology licence"),
    "consulting": ("技术咨询", "Technology consulting"),
    "service": ("技术服务", "Technology service"),
    "other": ("其他", "Other"),
}

SUBTYPES: dict[str, tuple[str, str, str]] = {
    # code: (type, zh, en)
    "commissioned_development": ("development", "委托开发", "Commissioned development"),
    "cooperative_development": ("development", "合作开发", "Cooperative development"),
    "patent_right_transfer": ("transfer", "专利权转让", "Patent assignment"),
    "patent_application_transfer": ("transfer", "专利申请权转让", "Patent application right assignment"),
    "know_how_transfer": ("transfer", "技术秘密转让", "Know-how assignment"),
    "software_copyright_transfer": ("transfer", "计算机软件著作权转让", "Software copyright assignment"),
    "ic_layout_transfer": ("transfer", "集成电路布图设计转让", "IC layout design assignment"),
    "plant_variety_transfer": ("transfer", "植物新品种转让", "Plant variety assignment"),
    "biomed_variety_transfer": ("transfer", "生物医药新品种转让", "Biomedical new variety assignment"),
    "patent_license_ordinary": ("license", "专利实施许可（普通）", "Patent licence (non-exclusive)"),
    "patent_license_sole": ("license", "专利实施许可（排他）", "Patent licence (sole)"),
    "patent_license_exclusive": ("license", "专利实施许可（独占）", "Patent licence (exclusive)"),
    "know_how_license": ("license", "技术秘密许可", "Know-how licence"),
    "consulting": ("consulting", "技术咨询", "Technology consulting"),
    "technical_service": ("service", "技术服务", "Technical service"),
    "technical_training": ("service", "技术培训", "Technical training"),
    "technical_intermediary": ("service", "技术中介", "Technology brokerage"),
    "other": ("other", "其他", "Other"),
}

IPR_TYPES: dict[str, tuple[str, str]] = {
    "invention_patent": ("发明专利", "Invention patent"),
    "utility_model": ("实用新型专利", "Utility model"),
    "design_patent": ("外观设计专利", "Design patent"),
    "software_copyright": ("计算机软件著作权", "Software copyright"),
    "ic_layout": ("集成电路布图设计", "IC layout design"),
    "plant_variety": ("植物新品种", "Plant variety"),
    "biomed_variety": ("生物医药新品种", "Biomedical new variety"),
    "know_how": ("技术秘密", "Know-how"),
    "other_ipr": ("其他知识产权", "Other IP"),
    "none": ("未涉及知识产权", "No IP involved"),
}

PLAN_SOURCES: dict[str, tuple[str, str]] = {
    "national": ("国家计划", "National plan"),
    "ministry": ("部门计划", "Ministry plan"),
    "provincial": ("省级计划", "Provincial plan"),
    "municipal": ("市县计划", "City or county plan"),
    "none": ("计划外", "Outside any plan"),
}

PAYMENT_MODES: dict[str, tuple[str, str]] = {
    "lump_sum": ("一次总付", "Lump sum"),
    "instalments": ("分期支付", "Instalments"),
    "royalty": ("提成支付", "Royalties"),
    "lump_sum_and_royalty": ("总付加提成", "Lump sum plus royalties"),
    "equity": ("作价入股", "Contribution as equity"),
    "other": ("其他", "Other"),
}

# 性质 code table of contract parties (registry 登记表). Group codes end in 0.
PARTY_NATURES: dict[str, tuple[str, str]] = {
    "010": ("机关", "Government body"),
    "011": ("中央机关", "Central government body"),
    "012": ("省级机关", "Provincial government body"),
    "013": ("地市级机关", "Prefecture government body"),
    "014": ("区县级机关", "County government body"),
    "020": ("事业单位", "Public institution"),
    "021": ("科研机构", "Research institution"),
    "022": ("高等院校", "Higher-education institution"),
    "023": ("医疗卫生", "Medical and health institution"),
    "024": ("其它事业单位", "Other public institution"),
    "030": ("社会团体", "Social organisation"),
    "100": ("内资企业", "Domestic enterprise"),
    "110": ("国有企业", "State-owned enterprise"),
    "120": ("集体企业", "Collective enterprise"),
    "130": ("股份合作企业", "Joint-stock cooperative"),
    "140": ("联营企业", "Joint-operation enterprise"),
    "150": ("有限责任公司", "Limited liability company"),
    "160": ("股份有限公司", "Company limited by shares"),
    "170": ("私营企业", "Private enterprise"),
    "180": ("其他内资企业", "Other domestic enterprise"),
    "200": ("港澳台商投资企业", "Hong Kong, Macao or Taiwan-invested enterprise"),
    "300": ("外商投资企业", "Foreign-invested enterprise"),
}

# Catalog organisation kind → the party-nature code a new contract starts with (editable in the draft).
NATURE_FOR_ORGANISATION_KIND: dict[str, str] = {
    "university": "022",
    "research_institute": "021",
    "enterprise": "100",
    "incubator": "100",
    "science_park": "024",
    "fund": "100",
    "registry": "010",
    "government": "010",
    "intermediary": "100",
    "association": "030",
}

DEDUCTION_ITEMS: dict[str, tuple[str, str]] = {
    "equipment": ("设备费", "Equipment"),
    "materials": ("原材料费", "Raw materials"),
    "parts": ("零部件费", "Parts and components"),
    "construction": ("建设工程费", "Construction works"),
    "other_non_technical": ("其他非技术性款项", "Other non-technical items"),
}

ENTERPRISE_SIZES: dict[str, tuple[str, str]] = {
    "large": ("大型", "Large"), "medium": ("中型", "Medium"), "small": ("小型", "Small"), "micro": ("微型", "Micro"),
}

# Country codes (GB/T 2659 numeric = ISO 3166-1 numeric). China, plus the regions counted separately.
CHINA = "156"
REGION_COUNTRIES = {"156": "", "344": "810000", "446": "820000", "158": "710000"}  # HK, Macao, Taiwan
FOREIGN_REGION = "990000"  # statistics region of parties outside China and its SARs (国外)
FOREIGN_LABEL = ("国外", "Abroad")

DIMENSION_TABLES: dict[str, dict[str, tuple[str, str]]] = {
    "contract_type": CONTRACT_TYPES,
    "ipr_type": IPR_TYPES,
    "plan_source": PLAN_SOURCES,
    "seller_nature": PARTY_NATURES,
    "buyer_nature": PARTY_NATURES,
}


def label(table: dict[str, tuple[str, str]], code: str, lang: str) -> str:
    """The zh or en label of ``code`` in ``table`` (the code itself when unknown)."""
    entry = table.get(code)
    if entry is None:
        return code
    return entry[1] if lang == "en" else entry[0]


def subtype_label(code: str, lang: str) -> str:
    entry = SUBTYPES.get(code)
    if entry is None:
        return code
    return entry[2] if lang == "en" else entry[1]
