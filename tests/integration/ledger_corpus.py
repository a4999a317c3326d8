"""A background archive for the ledger tests (invented, no real data): the repeat text model
is fitted on the archive of a running centre, so that words every complaint uses (小区, 门口,
每天, 居民, 请尽快) weigh little and the words of a problem (烧烤, 井盖) weigh much."""

from __future__ import annotations

from datetime import UTC, datetime

from hotline.adapters.db.models import RepeatModel
from hotline.repeats import TextModel
from hotline.services.context import Hotline

PLACES = (
    "历下区泉城路",
    "历下区解放路",
    "市中区经四路",
    "市中区英雄山路",
    "槐荫区经十路",
    "天桥区北园大街",
    "历城区花园路",
    "历城区山大南路",
    "长清区大学路",
    "章丘区汇泉路",
    "历下区文化东路",
    "市中区纬二路",
    "槐荫区西市场",
    "天桥区堤口路",
    "历城区洪家楼",
    "历下区和平路",
    "市中区七里山路",
    "高新区舜华路",
    "历下区燕子山路",
    "天桥区无影山路",
)
ISSUES = (
    "{p}小区门口烧烤摊每天晚上营业到凌晨，油烟很大，噪音扰民，居民无法休息，请尽快处理。",
    "{p}的井盖破损塌陷，行人差点掉进去，存在安全隐患，请尽快维修。",
    "{p}有商户占道经营，把货物堆在人行道上，行人只能走机动车道。",
    "{p}附近工地夜间施工噪音扰民，凌晨还在作业，居民无法休息。",
    "{p}小区门口路灯坏了一个多月，晚上一片漆黑，行人看不清路。",
    "{p}小区门口垃圾桶满了没人清运，垃圾堆在路边，臭味很大。",
    "{p}绿化带的树木被人砍伐，请相关部门查处。",
    "{p}路边违章停车严重，每天早晚高峰堵得水泄不通。",
    "{p}小区门口有人私搭乱建，占用公共通道，居民出行不便。",
    "{p}的下水道堵塞，污水外溢，气味难闻，请尽快疏通。",
    "{p}有人在小区门口张贴小广告，墙面很脏，请清理。",
    "{p}的广场舞音响声音太大，每天晚上到十点，影响居民休息。",
    "{p}的人行道地砖松动破损，老人孩子容易摔倒，请维修。",
    "{p}的餐馆油烟直排，没有安装净化设备，居民不敢开窗。",
    "{p}有流动摊贩堵在小区门口，占道经营，交通不畅。",
)


def archive_texts() -> list[str]:
    return [issue.format(p=place) for place in PLACES for issue in ISSUES]


def store_archive_model(hotline: Hotline) -> TextModel:
    """Fit the model on the archive and store it as the one in force (as a deployment would
    after loading its history)."""
    model = TextModel.fit(archive_texts())
    with hotline.db.transaction() as session:
        session.add(RepeatModel(fingerprint=model.fingerprint, n_docs=model.n_docs,
                                data=model.to_bytes(), created_at=datetime.now(UTC)))  # fmt: skip
    return model
