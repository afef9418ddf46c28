"""Enumerations of the catalog with their Chinese and English labels.

Small, stable vocabularies live here as enums (type-checked); the large national code tables
(industries, disciplines, provinces) are read from techbridge/data/codes by ``codes.py``.
"""

from __future__ import annotations

from enum import StrEnum


class LabelledEnum(StrEnum):
    """A string enum whose members carry a Chinese and an English label."""

    @property
    def zh(self) -> str:
        return _LABELS[type(self).__name__][self.value][0]

    @property
    def en(self) -> str:
        return _LABELS[type(self).__name__][self.value][1]

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    @classmethod
    def choices(cls) -> str:
        return ", ".join(m.value for m in cls)


class OrganisationKind(LabelledEnum):
    UNIVERSITY = "university"
    RESEARCH_INSTITUTE = "research_institute"
    ENTERPRISE = "enterprise"
    INCUBATOR = "incubator"
    SCIENCE_PARK = "science_park"
    FUND = "fund"
    REGISTRY = "registry"
    GOVERNMENT = "government"
    INTERMEDIARY = "intermediary"
    ASSOCIATION = "association"


class EnterpriseSize(LabelledEnum):
    LARGE = "large"
    MEDIUM = "medium"
    SMALL = "small"
    MICRO = "micro"


class PersonRole(LabelledEnum):
    RESEARCHER = "researcher"
    TECHNOLOGY_MANAGER = "technology_manager"
    INVESTOR = "investor"
    ENTERPRISE_CONTACT = "enterprise_contact"
    EXPERT = "expert"
    REGISTRAR = "registrar"
    OFFICIAL = "official"


class TechnologyKind(LabelledEnum):
    PATENT = "patent"
    KNOW_HOW = "know_how"
    SOFTWARE = "software"
    NEW_VARIETY = "new_variety"
    PROTOTYPE = "prototype"
    PAPER_RESULT = "paper_result"
    OTHER = "other"


class ListingStatus(LabelledEnum):
    LISTED = "listed"
    NEGOTIATING = "negotiating"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


class Stage(LabelledEnum):
    """The coarse maturity stage platforms show, kept apart from TRL (DOMAIN.md §3)."""

    RESEARCHING = "researching"
    SAMPLE = "sample"
    LAB_TESTED = "lab_tested"
    PILOT_TESTED = "pilot_tested"
    MASS_PRODUCTION = "mass_production"


class TransactionMode(LabelledEnum):
    """Codes of techbridge/data/codes/transaction_modes.csv."""

    PATENT_ASSIGNMENT = "patent_assignment"
    PATENT_LICENSE_ORDINARY = "patent_license_ordinary"
    PATENT_LICENSE_SOLE = "patent_license_sole"
    PATENT_LICENSE_EXCLUSIVE = "patent_license_exclusive"
    PATENT_APPLICATION_ASSIGNMENT = "patent_application_assignment"
    KNOW_HOW_ASSIGNMENT = "know_how_assignment"
    KNOW_HOW_LICENSE = "know_how_license"
    EQUITY_CONTRIBUTION = "equity_contribution"
    JOINT_DEVELOPMENT = "joint_development"
    COMMISSIONED_DEVELOPMENT = "commissioned_development"
    TECHNICAL_SERVICE = "technical_service"
    OTHER = "other"


class SolutionMode(LabelledEnum):
    """How an enterprise wants its demand solved (解决方式)."""

    IN_HOUSE = "in_house"
    COMMISSIONED_DEVELOPMENT = "commissioned_development"
    JOINT_DEVELOPMENT = "joint_development"
    TECHNOLOGY_TRANSFER = "technology_transfer"
    TECHNOLOGY_LICENSE = "technology_license"
    TECHNICAL_SERVICE = "technical_service"


class Visibility(LabelledEnum):
    PUBLIC = "public"
    SUMMARY = "summary"
    CONFIDENTIAL = "confidential"


class Freshness(LabelledEnum):
    FRESH = "fresh"
    EXPIRING = "expiring"
    EXPIRED = "expired"


_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "OrganisationKind": {
        "university": ("高等院校", "University"),
        "research_institute": ("科研院所", "Research institute"),
        "enterprise": ("企业", "Enterprise"),
        "incubator": ("孵化器", "Incubator"),
        "science_park": ("科技园区", "Science park"),
        "fund": ("投资基金", "Investment fund"),
        "registry": ("技术合同登记机构", "Contract registry"),
        "government": ("政府部门", "Government body"),
        "intermediary": ("技术转移机构", "Technology-transfer agency"),
        "association": ("社会团体", "Association"),
    },
    "EnterpriseSize": {
        "large": ("大型", "Large"),
        "medium": ("中型", "Medium"),
        "small": ("小型", "Small"),
        "micro": ("微型", "Micro"),
    },
    "PersonRole": {
        "researcher": ("科研人员", "Researcher"),
        "technology_manager": ("技术经理人", "Technology manager"),
        "investor": ("投资人", "Investor"),
        "enterprise_contact": ("企业联系人", "Enterprise contact"),
        "expert": ("专家", "Expert"),
        "registrar": ("登记员", "Registrar"),
        "official": ("政府工作人员", "Government official"),
    },
    "TechnologyKind": {
        "patent": ("专利", "Patent"),
        "know_how": ("技术秘密", "Know-how"),
        "software": ("软件", "Software"),
        "new_variety": ("新品种", "New variety"),
        "prototype": ("样机", "Prototype"),
        "paper_result": ("论文成果", "Published research result"),
        "other": ("其他", "Other"),
    },
    "ListingStatus": {
        "listed": ("展示中", "Listed"),
        "negotiating": ("交易中", "In negotiation"),
        "closed": ("已成交", "Closed"),
        "withdrawn": ("已下架", "Withdrawn"),
    },
    "Stage": {
        "researching": ("正在研发", "In research"),
        "sample": ("已有样品", "Sample available"),
        "lab_tested": ("通过小试", "Lab-scale trial passed"),
        "pilot_tested": ("通过中试", "Pilot trial passed"),
        "mass_production": ("可以量产", "Ready for mass production"),
    },
    "TransactionMode": {
        "patent_assignment": ("专利权转让", "Patent assignment"),
        "patent_license_ordinary": ("专利实施许可（普通）", "Patent licence (non-exclusive)"),
        "patent_license_sole": ("专利实施许可（排他）", "Patent licence (sole)"),
        "patent_license_exclusive": ("专利实施许可（独占）", "Patent licence (exclusive)"),
        "patent_application_assignment": ("专利申请权转让", "Patent application right assignment"),
        "know_how_assignment": ("技术秘密转让", "Know-how assignment"),
        "know_how_license": ("技术秘密许可", "Know-how licence"),
        "equity_contribution": ("作价入股", "Contribution as equity"),
        "joint_development": ("合作开发", "Joint development"),
        "commissioned_development": ("委托开发", "Commissioned development"),
        "technical_service": ("技术服务", "Technical service"),
        "other": ("其他", "Other"),
    },
    "SolutionMode": {
        "in_house": ("自主研发", "In-house"),
        "commissioned_development": ("委托开发", "Commissioned development"),
        "joint_development": ("合作开发", "Joint development"),
        "technology_transfer": ("技术转让", "Technology transfer"),
        "technology_license": ("技术许可", "Technology licence"),
        "technical_service": ("技术服务", "Technical service"),
    },
    "Visibility": {
        "public": ("公开", "Public"),
        "summary": ("仅摘要公开", "Summary only"),
        "confidential": ("保密", "Confidential"),
    },
    "Freshness": {
        "fresh": ("有效", "Fresh"),
        "expiring": ("即将过期", "Expiring soon"),
        "expired": ("已过期", "Expired"),
    },
}

# TRL working labels (DOMAIN.md §3) and the coarse stage each level usually corresponds to.
TRL_LABELS: dict[int, tuple[str, str]] = {
    1: ("基本原理", "Basic principles observed"),
    2: ("技术方案", "Technology concept formulated"),
    3: ("方案验证", "Proof of concept"),
    4: ("单元验证", "Component validated in lab"),
    5: ("分系统验证", "Subsystem validated"),
    6: ("原理样机验证", "Prototype demonstrated"),
    7: ("中试样机实际环境验证", "Pilot prototype in operational environment"),
    8: ("试生产/定型", "Trial production / system qualified"),
    9: ("规模化生产产生效益", "Scaled production with returns"),
}

TRL_TO_STAGE: dict[int, Stage] = {
    1: Stage.RESEARCHING,
    2: Stage.RESEARCHING,
    3: Stage.RESEARCHING,
    4: Stage.SAMPLE,
    5: Stage.LAB_TESTED,
    6: Stage.LAB_TESTED,
    7: Stage.PILOT_TESTED,
    8: Stage.PILOT_TESTED,
    9: Stage.MASS_PRODUCTION,
}

STAGE_MIN_TRL: dict[Stage, int] = {
    Stage.RESEARCHING: 1,
    Stage.SAMPLE: 4,
    Stage.LAB_TESTED: 5,
    Stage.PILOT_TESTED: 7,
    Stage.MASS_PRODUCTION: 9,
}
