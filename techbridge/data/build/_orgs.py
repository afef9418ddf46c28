"""Fictional organisations and people for the demo catalog.

Every name is invented and carries "（示例）" (organisations) or is marked ``sample_data``.
Any resemblance to a real organisation or person is unintended.
"""

from __future__ import annotations

from typing import NamedTuple


class Org(NamedTuple):
    external_id: str
    name_zh: str
    name_en: str
    kind: str  # university | research_institute | enterprise | incubator | science_park | fund | registry | government | intermediary | association
    size: str  # enterprises only: micro | small | medium | large
    province_code: str
    nature_code: str  # party nature (DOMAIN.md §1): 013 机关(市), 021 科研机构, 022 高等院校, 024 其它事业单位, 030 社会团体, 110 国有, 170 私营, 180 其他
    registry: str  # USCC position 1: 1 机构编制, 5 民政, 9 市场监管
    category: str  # USCC position 2
    fields: tuple[str, ...]
    description: str


ORGS: list[Org] = [
    Org("org-u01", "东海理工大学（示例）", "Donghai University of Technology (sample)", "university", "", "310000", "022", "1", "2",
        ("F01", "F03", "F05", "F10"), "理工科为主的综合性大学，设有技术转移中心。"),
    Org("org-u02", "北辰农林大学（示例）", "Beichen Agricultural and Forestry University (sample)", "university", "", "110000", "022", "1", "2",
        ("F09", "F07"), "农林类高校，设有农业技术推广站。"),
    Org("org-u03", "江淮医科大学（示例）", "Jianghuai Medical University (sample)", "university", "", "340000", "022", "1", "2",
        ("F04",), "医科大学，附属医院三所。"),
    Org("org-u04", "岭南工程技术大学（示例）", "Lingnan University of Engineering and Technology (sample)", "university", "", "440000", "022", "1", "2",
        ("F01", "F06", "F03", "F02"), "工科大学，电子与能源学科见长。"),
    Org("org-u05", "蜀川交通大学（示例）", "Shuchuan Jiaotong University (sample)", "university", "", "510000", "022", "1", "2",
        ("F10", "F11", "F02"), "交通与土木学科特色大学。"),
    Org("org-i01", "华北新材料研究院（示例）", "North China Institute of New Materials (sample)", "research_institute", "", "130000", "021", "1", "2",
        ("F05",), "新材料研发与中试熟化机构。"),
    Org("org-i02", "长江先进制造研究所（示例）", "Changjiang Institute of Advanced Manufacturing (sample)", "research_institute", "", "320000", "021", "1", "2",
        ("F03", "F01"), "智能制造与精密加工研究所。"),
    Org("org-i03", "西部核技术应用研究所（示例）", "Western Institute of Nuclear Technology Applications (sample)", "research_institute", "", "620000", "021", "1", "2",
        ("F08", "F06"), "辐照加工与同位素应用研究所。"),
    Org("org-i04", "黄海海洋与环境研究所（示例）", "Huanghai Institute of Marine and Environmental Sciences (sample)", "research_institute", "", "370000", "021", "1", "2",
        ("F07", "F09"), "海洋环境与水产研究所。"),
    Org("org-i05", "中原生物医药研究院（示例）", "Zhongyuan Institute of Biomedicine (sample)", "research_institute", "", "410000", "021", "1", "2",
        ("F04", "F09"), "生物医药与发酵工程研究院。"),
    Org("org-i06", "山城航空航天研究院（示例）", "Shancheng Aerospace Research Institute (sample)", "research_institute", "", "500000", "021", "1", "2",
        ("F02", "F10"), "无人机与航空结构研究院。"),
    Org("org-e01", "月桂斋食品有限公司（示例）", "Yueguizhai Foods Co., Ltd. (sample)", "enterprise", "small", "330000", "170", "9", "1",
        ("F09",), "传统糕点生产企业。"),
    Org("org-e02", "金穗种植专业合作社（示例）", "Jinsui Planting Cooperative (sample)", "enterprise", "micro", "150000", "180", "9", "3",
        ("F09",), "糖料与杂粮种植合作社。"),
    Org("org-e03", "恒川特钢股份有限公司（示例）", "Hengchuan Special Steel Co., Ltd. (sample)", "enterprise", "large", "130000", "110", "9", "1",
        ("F05", "F03"), "特种钢冶炼与连铸企业。"),
    Org("org-e04", "启明供电服务有限公司（示例）", "Qiming Power Supply Services Co., Ltd. (sample)", "enterprise", "medium", "420000", "110", "9", "1",
        ("F06", "F01"), "县域供电与用电信息采集服务。"),
    Org("org-e05", "云翼无人机服务有限公司（示例）", "Yunyi Drone Services Co., Ltd. (sample)", "enterprise", "small", "440000", "170", "9", "1",
        ("F02", "F01"), "电力巡线与航拍无人机服务。"),
    Org("org-e06", "瑞泽口腔器械有限公司（示例）", "Ruize Dental Devices Co., Ltd. (sample)", "enterprise", "small", "320000", "170", "9", "1",
        ("F04",), "义齿与口腔器械制造。"),
    Org("org-e07", "蓝湾水产养殖有限公司（示例）", "Lanwan Aquaculture Co., Ltd. (sample)", "enterprise", "micro", "350000", "170", "9", "1",
        ("F09",), "海水育苗与养殖。"),
    Org("org-e08", "锦绣纺织印染有限公司（示例）", "Jinxiu Textile Printing and Dyeing Co., Ltd. (sample)", "enterprise", "medium", "330000", "170", "9", "1",
        ("F05", "F07"), "棉与真丝面料印染。"),
    Org("org-e09", "远航船舶配件有限公司（示例）", "Yuanhang Marine Parts Co., Ltd. (sample)", "enterprise", "small", "210000", "170", "9", "1",
        ("F10", "F03"), "船用推进与操舵配件。"),
    Org("org-e10", "绿源环保工程有限公司（示例）", "Lvyuan Environmental Engineering Co., Ltd. (sample)", "enterprise", "medium", "500000", "170", "9", "1",
        ("F07",), "污水处理与固废资源化工程。"),
    Org("org-e11", "矿安智能装备有限公司（示例）", "Kuang'an Intelligent Equipment Co., Ltd. (sample)", "enterprise", "small", "140000", "170", "9", "1",
        ("F07", "F03"), "矿山安全与选矿装备。"),
    Org("org-e12", "宏图建设集团有限公司（示例）", "Hongtu Construction Group Co., Ltd. (sample)", "enterprise", "large", "430000", "110", "9", "1",
        ("F11", "F10"), "房屋建筑与市政工程施工。"),
    Org("org-e13", "星桥软件技术有限公司（示例）", "Xingqiao Software Technology Co., Ltd. (sample)", "enterprise", "micro", "120000", "170", "9", "1",
        ("F01",), "工业软件与数据安全。"),
    Org("org-e14", "新禾生物科技有限公司（示例）", "Xinhe Biotechnology Co., Ltd. (sample)", "enterprise", "small", "360000", "170", "9", "1",
        ("F04", "F09"), "微生物制剂与功能食品。"),
    Org("org-e15", "晟能新能源科技有限公司（示例）", "Shengneng New Energy Technology Co., Ltd. (sample)", "enterprise", "medium", "650000", "170", "9", "1",
        ("F06",), "光伏与储能系统集成。"),
    Org("org-e16", "华昌精密机械有限公司（示例）", "Huachang Precision Machinery Co., Ltd. (sample)", "enterprise", "medium", "370000", "170", "9", "1",
        ("F03",), "精密齿轮与减速器制造。"),
    Org("org-n01", "启航科技企业孵化器有限公司（示例）", "Qihang Technology Business Incubator Co., Ltd. (sample)", "incubator", "small", "320000", "170", "9", "1",
        ("F01", "F04", "F03"), "科技型企业孵化器，提供接力孵化服务。"),
    Org("org-n02", "东湖创新科学园管理委员会（示例）", "Donghu Innovation Science Park Administrative Committee (sample)", "science_park", "", "420000", "013", "1", "1",
        ("F01", "F06", "F04"), "科学园区管理机构，承接孵化器毕业企业。"),
    Org("org-n03", "长江科创股权投资基金（有限合伙）（示例）", "Changjiang Sci-Tech Equity Investment Fund LP (sample)", "fund", "", "310000", "170", "9", "1",
        ("F06", "F05", "F01", "F04"), "早期硬科技股权投资基金。"),
    Org("org-n04", "江东技术合同认定登记中心（示例）", "Jiangdong Technology Contract Registration Centre (sample)", "registry", "", "320000", "024", "1", "2",
        (), "技术合同认定登记机构。"),
    Org("org-n05", "示范区科技创新局（示例）", "Demonstration Zone Science and Innovation Bureau (sample)", "government", "", "110000", "013", "1", "1",
        ("F11",), "负责揭榜挂帅项目组织与科技统计。"),
    Org("org-n06", "汇智技术转移服务有限公司（示例）", "Huizhi Technology Transfer Services Co., Ltd. (sample)", "intermediary", "small", "110000", "170", "9", "1",
        ("F01", "F03", "F09"), "技术转移机构，提供需求挖掘与撮合服务。"),
    Org("org-n07", "长三角技术经理人协会（示例）", "Yangtze River Delta Technology Managers Association (sample)", "association", "", "310000", "030", "5", "1",
        (), "技术经理人行业组织。"),
]


class Person(NamedTuple):
    external_id: str
    name_zh: str
    name_en: str
    organisation: str
    role: str  # researcher | technology_manager | investor | enterprise_contact | expert | official | registrar
    title_zh: str
    expertise: tuple[str, ...]
    fields: tuple[str, ...]


PEOPLE: list[Person] = [
    Person("person-01", "陈思远", "Chen Siyuan", "org-u01", "researcher", "教授", ("智能制造", "机器视觉", "工业机器人"), ("F03", "F01")),
    Person("person-02", "林若溪", "Lin Ruoxi", "org-u01", "technology_manager", "高级技术经理人", ("专利运营", "技术评估", "许可谈判"), ("F01", "F03", "F05")),
    Person("person-03", "王嘉禾", "Wang Jiahe", "org-u02", "researcher", "研究员", ("节水灌溉", "农业机械", "作物栽培"), ("F09",)),
    Person("person-04", "赵雨桐", "Zhao Yutong", "org-u02", "researcher", "副教授", ("土壤修复", "农业面源污染"), ("F07", "F09")),
    Person("person-05", "周明澈", "Zhou Mingche", "org-u03", "researcher", "教授", ("靶向药物", "药物递送", "纳米制剂"), ("F04",)),
    Person("person-06", "吴静姝", "Wu Jingshu", "org-u03", "technology_manager", "技术经理人", ("医药成果转化", "临床试验", "注册申报"), ("F04",)),
    Person("person-07", "郑浩然", "Zheng Haoran", "org-u04", "researcher", "教授", ("功率电子", "储能变流器", "电池管理"), ("F06", "F01")),
    Person("person-08", "孙一鸣", "Sun Yiming", "org-u04", "researcher", "副教授", ("无线通信", "定位导航", "雷达信号处理"), ("F01", "F02")),
    Person("person-09", "黄晓岚", "Huang Xiaolan", "org-u05", "researcher", "教授", ("轨道交通", "桥梁健康监测", "智能交通"), ("F10", "F11")),
    Person("person-10", "何子墨", "He Zimo", "org-i01", "researcher", "研究员", ("高温合金", "连铸工艺", "钢铁冶金"), ("F05",)),
    Person("person-11", "高文博", "Gao Wenbo", "org-i01", "technology_manager", "技术经理人", ("中试熟化", "概念验证", "技术入股"), ("F05", "F03")),
    Person("person-12", "罗清扬", "Luo Qingyang", "org-i02", "researcher", "研究员", ("数控机床", "精密加工", "工业互联网"), ("F03", "F01")),
    Person("person-13", "梁书瑶", "Liang Shuyao", "org-i03", "researcher", "副研究员", ("辐照加工", "同位素应用", "核探测"), ("F08",)),
    Person("person-14", "宋知行", "Song Zhixing", "org-i04", "researcher", "研究员", ("海水养殖", "海洋环境监测", "水产病害"), ("F09", "F07")),
    Person("person-15", "唐心怡", "Tang Xinyi", "org-i05", "researcher", "研究员", ("发酵工程", "酶制剂", "功能食品"), ("F04", "F09")),
    Person("person-16", "许少峰", "Xu Shaofeng", "org-i06", "researcher", "高级工程师", ("无人机", "飞行控制", "复合材料结构"), ("F02",)),
    Person("person-17", "韩雪松", "Han Xuesong", "org-e01", "enterprise_contact", "总经理", ("糕点", "减糖配方"), ("F09",)),
    Person("person-18", "冯建国", "Feng Jianguo", "org-e03", "enterprise_contact", "技术中心主任", ("特钢冶炼", "连铸"), ("F05",)),
    Person("person-19", "邓立新", "Deng Lixin", "org-e04", "enterprise_contact", "总工程师", ("用电信息采集", "电力线载波"), ("F06", "F01")),
    Person("person-20", "曹晓敏", "Cao Xiaomin", "org-e05", "enterprise_contact", "运营总监", ("无人机巡检", "航拍"), ("F02",)),
    Person("person-21", "彭嘉怡", "Peng Jiayi", "org-e08", "enterprise_contact", "技术部经理", ("印染废水", "节能染色"), ("F05", "F07")),
    Person("person-22", "蒋文涛", "Jiang Wentao", "org-e10", "enterprise_contact", "项目经理", ("餐厨垃圾处理", "好氧发酵"), ("F07",)),
    Person("person-23", "石景行", "Shi Jingxing", "org-e16", "enterprise_contact", "研发经理", ("精密齿轮", "减速器"), ("F03",)),
    Person("person-24", "谢婉清", "Xie Wanqing", "org-n06", "technology_manager", "高级技术经理人", ("需求挖掘", "技术撮合", "合同登记"), ("F01", "F03", "F09")),
    Person("person-25", "沈一帆", "Shen Yifan", "org-n01", "technology_manager", "孵化经理", ("孵化服务", "接力孵化", "创业辅导"), ("F01", "F04")),
    Person("person-26", "叶知秋", "Ye Zhiqiu", "org-n03", "investor", "投资合伙人", ("早期投资", "硬科技", "新能源"), ("F06", "F05", "F01")),
    Person("person-27", "程睿哲", "Cheng Ruizhe", "org-n03", "investor", "投资经理", ("医疗器械", "生物医药"), ("F04",)),
    Person("person-28", "袁立群", "Yuan Liqun", "org-n04", "registrar", "登记员", ("技术合同认定", "技术交易额核定"), ()),
    Person("person-29", "邹明华", "Zou Minghua", "org-n05", "official", "处长", ("揭榜挂帅", "科技项目管理"), ("F11",)),
    Person("person-30", "潘国栋", "Pan Guodong", "org-u05", "expert", "教授级高工", ("桥梁工程", "隧道施工", "工程评审"), ("F11", "F10")),
    Person("person-31", "田慧敏", "Tian Huimin", "org-i04", "expert", "研究员", ("环境影响评价", "水污染治理"), ("F07",)),
    Person("person-32", "方若愚", "Fang Ruoyu", "org-n07", "technology_manager", "秘书长", ("技术经理人培训", "科技成果评价"), ("F03", "F05")),
]
