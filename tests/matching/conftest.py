"""A small fixed corpus shared by the matching tests (technologies in zh and en with codes)."""

from __future__ import annotations

from datetime import date

import pytest

from techbridge.matching import MatchDocument

CORPUS = [
    MatchDocument(id="battery", title="锂离子电池快速充电技术",
                  text="一种磷酸铁锂电池组的快速充电与均衡管理方法，延长电池寿命。",
                  technology_field="F06", ipc_subclasses=("H01M", "H02J"), province="32", trl=6, price=80.0,
                  updated_at=date(2026, 9, 1)),
    MatchDocument(id="flyash", title="粉煤灰基胶凝材料",
                  text="利用电厂粉煤灰制备免烧砖和胶凝材料，降低建材成本，减少固废堆存。",
                  technology_field="F07", industry_codes=("C3021",), province="13", trl=7, price=30.0),
    MatchDocument(id="dehaze", title="单幅图像去雾算法",
                  text="基于暗通道先验的单幅图像去雾方法，提高监控视频在雾天的清晰度。",
                  technology_field="F01", ipc_subclasses=("G06T",), province="11", trl=5),
    MatchDocument(id="wastewater", title="农村生活污水处理",
                  text="分散式农村生活污水的一体化生物处理装置，出水达到一级A标准，运行费用低。",
                  technology_field="F07", province="33", trl=8, price=120.0),
    MatchDocument(id="pump", title="Pump station scheduling", lang="en",
                  text="An optimisation method for scheduling water pump stations to cut electricity cost "
                       "during peak hours.",
                  technology_field="F06", province="44", trl=6),
    MatchDocument(id="seed", title="水稻抗倒伏品种选育", text="通过分子标记辅助选择培育抗倒伏、高产的水稻新品种。",
                  technology_field="F09", province="43", trl=6, updated_at=date(2020, 1, 1)),
]


@pytest.fixture
def corpus() -> list[MatchDocument]:
    return list(CORPUS)
