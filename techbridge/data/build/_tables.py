"""Hand-written reference tables (public facts and the project's own code lists).

Facts: GB/T 2260 provincial codes, the 11 技术领域 of the national technology-market
statistics, TRL working labels (GB/T 22900-2022 / GB/T 41621-2022 as summarised in DOMAIN.md).
Project's own: the short codes (F01…, slugs) and English labels, and the TRL → stage mapping.
"""

from __future__ import annotations

# (code, name_zh, name_en) in the order of the national statistics.
TECHNOLOGY_FIELDS: list[tuple[str, str, str]] = [
    ("F01", "电子信息", "Electronic information"),
    ("F02", "航空航天", "Aerospace"),
    ("F03", "先进制造", "Advanced manufacturing"),
    ("F04", "生物、医药和医疗器械", "Biology, medicine and medical devices"),
    ("F05", "新材料及其应用", "New materials and their applications"),
    ("F06", "新能源与高效节能", "New energy and energy efficiency"),
    ("F07", "环境保护与资源综合利用", "Environmental protection and comprehensive use of resources"),
    ("F08", "核应用", "Nuclear applications"),
    ("F09", "农业", "Agriculture"),
    ("F10", "现代交通", "Modern transport"),
    ("F11", "城市建设与社会发展", "Urban construction and social development"),
]

BLOCS: list[tuple[str, str, str]] = [
    ("jjj", "京津冀", "Beijing-Tianjin-Hebei"),
    ("yrd", "长三角", "Yangtze River Delta"),
    ("gba", "粤港澳大湾区", "Guangdong-Hong Kong-Macao Greater Bay Area"),
]

# (GB/T 2260 code, full name, English name, abbreviation, common short name, kind, bloc)
PROVINCES: list[tuple[str, str, str, str, str, str, str]] = [
    ("110000", "北京市", "Beijing", "京", "北京", "municipality", "jjj"),
    ("120000", "天津市", "Tianjin", "津", "天津", "municipality", "jjj"),
    ("130000", "河北省", "Hebei", "冀", "河北", "province", "jjj"),
    ("140000", "山西省", "Shanxi", "晋", "山西", "province", ""),
    ("150000", "内蒙古自治区", "Inner Mongolia", "蒙", "内蒙古", "autonomous_region", ""),
    ("210000", "辽宁省", "Liaoning", "辽", "辽宁", "province", ""),
    ("220000", "吉林省", "Jilin", "吉", "吉林", "province", ""),
    ("230000", "黑龙江省", "Heilongjiang", "黑", "黑龙江", "province", ""),
    ("310000", "上海市", "Shanghai", "沪", "上海", "municipality", "yrd"),
    ("320000", "江苏省", "Jiangsu", "苏", "江苏", "province", "yrd"),
    ("330000", "浙江省", "Zhejiang", "浙", "浙江", "province", "yrd"),
    ("340000", "安徽省", "Anhui", "皖", "安徽", "province", "yrd"),
    ("350000", "福建省", "Fujian", "闽", "福建", "province", ""),
    ("360000", "江西省", "Jiangxi", "赣", "江西", "province", ""),
    ("370000", "山东省", "Shandong", "鲁", "山东", "province", ""),
    ("410000", "河南省", "Henan", "豫", "河南", "province", ""),
    ("420000", "湖北省", "Hubei", "鄂", "湖北", "province", ""),
    ("430000", "湖南省", "Hunan", "湘", "湖南", "province", ""),
    ("440000", "广东省", "Guangdong", "粤", "广东", "province", "gba"),
    ("450000", "广西壮族自治区", "Guangxi", "桂", "广西", "autonomous_region", ""),
    ("460000", "海南省", "Hainan", "琼", "海南", "province", ""),
    ("500000", "重庆市", "Chongqing", "渝", "重庆", "municipality", ""),
    ("510000", "四川省", "Sichuan", "川", "四川", "province", ""),
    ("520000", "贵州省", "Guizhou", "贵", "贵州", "province", ""),
    ("530000", "云南省", "Yunnan", "云", "云南", "province", ""),
    ("540000", "西藏自治区", "Xizang (Tibet)", "藏", "西藏", "autonomous_region", ""),
    ("610000", "陕西省", "Shaanxi", "陕", "陕西", "province", ""),
    ("620000", "甘肃省", "Gansu", "甘", "甘肃", "province", ""),
    ("630000", "青海省", "Qinghai", "青", "青海", "province", ""),
    ("640000", "宁夏回族自治区", "Ningxia", "宁", "宁夏", "autonomous_region", ""),
    ("650000", "新疆维吾尔自治区", "Xinjiang", "新", "新疆", "autonomous_region", ""),
    ("710000", "台湾省", "Taiwan", "台", "台湾", "province", ""),
    ("810000", "香港特别行政区", "Hong Kong", "港", "香港", "special_administrative_region", "gba"),
    ("820000", "澳门特别行政区", "Macao", "澳", "澳门", "special_administrative_region", "gba"),
]

# Coarse stages shown by listing platforms: (code, name_zh, name_en, ordinal)
STAGES: list[tuple[str, str, str, int]] = [
    ("researching", "正在研发", "Under research and development", 1),
    ("sample", "已有样品", "Sample or prototype available", 2),
    ("lab_tested", "通过小试", "Passed laboratory-scale trial", 3),
    ("pilot_tested", "通过中试", "Passed pilot-scale trial", 4),
    ("mass_production", "可以量产", "Ready for mass production", 5),
]

# TRL: (level, working label zh, label en, coarse stage code). The stage column is editorial.
TRL: list[tuple[int, str, str, str]] = [
    (1, "基本原理", "Basic principles observed and reported", "researching"),
    (2, "技术方案", "Technology concept and application formulated", "researching"),
    (3, "方案验证", "Concept verified (analytical or experimental proof of concept)", "researching"),
    (4, "单元验证", "Components validated in a laboratory environment", "sample"),
    (5, "分系统验证", "Subsystems validated in a relevant environment", "lab_tested"),
    (6, "原理样机验证", "Principle prototype validated", "lab_tested"),
    (7, "中试样机实际环境验证", "Pilot prototype validated in the operational environment", "pilot_tested"),
    (8, "试生产/定型", "Trial production / design finalised", "pilot_tested"),
    (9, "规模化生产产生效益", "Production at scale generating returns", "mass_production"),
]

# Transaction modes of a technology listing: (code, name_zh, name_en, contract type zh, contract subtype zh)
TRANSACTION_MODES: list[tuple[str, str, str, str, str]] = [
    ("patent_assignment", "专利权转让", "Patent assignment", "技术转让", "专利权转让"),
    ("patent_license_ordinary", "专利实施许可-普通", "Patent licence, non-exclusive", "技术许可", "专利实施许可"),
    (
        "patent_license_sole",
        "专利实施许可-排他",
        "Patent licence, sole (licensor keeps own use)",
        "技术许可",
        "专利实施许可",
    ),
    ("patent_license_exclusive", "专利实施许可-独占", "Patent licence, exclusive", "技术许可", "专利实施许可"),
    (
        "patent_application_assignment",
        "专利申请权转让",
        "Assignment of a patent application right",
        "技术转让",
        "专利申请权转让",
    ),
    ("know_how_assignment", "技术秘密转让", "Know-how (technical secret) transfer", "技术转让", "技术秘密转让"),
    ("know_how_license", "技术秘密许可", "Know-how (technical secret) licence", "技术许可", "技术秘密许可"),
    ("equity_contribution", "作价入股", "Contribution as equity (technology valued as shares)", "技术转让", ""),
    ("joint_development", "合作开发", "Joint development", "技术开发", "合作开发"),
    ("commissioned_development", "委托开发", "Commissioned development", "技术开发", "委托开发"),
    ("technical_service", "技术服务", "Technical service", "技术服务", "技术服务"),
    ("other", "其他", "Other", "其他", ""),
]

LISTING_STATUS: list[tuple[str, str, str]] = [
    ("listed", "展示中", "Listed"),
    ("negotiating", "交易中", "Under negotiation"),
    ("closed", "已成交", "Deal closed"),
    ("withdrawn", "已下架", "Withdrawn"),
]

SOLUTION_MODES: list[tuple[str, str, str]] = [
    ("in_house", "自主", "In-house (own development)"),
    ("commissioned_development", "委托开发", "Commissioned development"),
    ("joint_development", "合作开发", "Joint development"),
    ("technology_transfer", "技术转让", "Technology transfer (assignment)"),
    ("technology_license", "技术许可", "Technology licence"),
    ("technical_service", "技术服务", "Technical service"),
]
