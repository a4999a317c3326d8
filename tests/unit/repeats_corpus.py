"""A small corpus of invented complaints for the repeats tests (no real data)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hotline.repeats import RepeatDocument, TextModel
from hotline.repeats.scoring import document_text

LOCAL = timezone(timedelta(hours=8))
START = datetime(2025, 6, 1, 9, 0, tzinfo=LOCAL)

# (id, title, body): the first three are one problem, reworded; the rest are other problems,
# some on the same road, one written from the same template for another estate.
CORPUS = [
    (
        "fumes-1",
        "A5区劳动东路魅力之城小区临街餐馆油烟扰民",
        "魅力之城小区楼下的烧烤店和快餐店没有专用烟道，油烟直排，每天营业到凌晨，居民无法开窗。",
    ),
    (
        "fumes-2",
        "魅力之城小区底层餐馆油烟直排",
        "尊敬的领导：您好！A5区魅力之城小区一楼的几家餐馆油烟直接排放，烧烤味飘进住户家里，"
        "晚上营业到凌晨两三点，请相关部门处理。谢谢！",
    ),
    (
        "fumes-3",
        "A5区魅力之城小区烧烤夜宵摊深夜经营油烟严重",
        "魅力之城小区临街门面开了烧烤夜宵摊，没有烟道，油烟和噪音严重影响休息。",
    ),
    (
        "lamp",
        "A5区劳动东路路灯长期不亮",
        "劳动东路从东塘到雨花亭一段的路灯已经坏了一个多月，晚上行人和电动车都看不清路，请尽快维修。",
    ),
    (
        "manhole",
        "A5区劳动东路井盖缺失存在安全隐患",
        "劳动东路公交站旁边的窨井盖丢失，只用一个纸箱盖着，已经有人踩空摔伤。",
    ),
    (
        "template-other-estate",
        "A3区看云路润芳园小区临街餐馆油烟扰民",
        "润芳园小区楼下的烧烤店和快餐店没有专用烟道，油烟直排，每天营业到凌晨，居民无法开窗。",
    ),
    (
        "cracks",
        "A5区魅力之城小区楼板墙面大面积开裂",
        "魅力之城交房一年多，房屋楼板和墙面出现几十处裂缝，开发商只做表面修补，业主要求鉴定质量。",
    ),
    (
        "school",
        "A2区丽发新城小区孩子入学难",
        "丽发新城小区配套小学迟迟不开学，孩子只能到五公里外上学，希望教育部门尽快解决学位问题。",
    ),
    (
        "mixer",
        "A2区丽发新城附近搅拌站噪音粉尘扰民",
        "丽发新城小区旁边新建的混凝土搅拌站日夜生产，噪音很大，粉尘飘进小区，老人小孩咳嗽不止。",
    ),
    (
        "bus",
        "建议增加A市805路公交车班次",
        "805路公交车早高峰二十分钟才来一趟，车上非常拥挤，建议增加班次。",
    ),
    (
        "tuition",
        "A市某英语培训机构拖延退费",
        "孩子报名的英语培训班课程没上完，申请退费三个月了，机构一直推脱不退款。",
    ),
    (
        "dog",
        "A4区万国城小区有人不牵绳遛狗",
        "万国城小区很多业主遛狗不牵绳，还有大型犬，小孩被吓哭，物业不管。",
    ),
]


# Other letters, only to give the IDF table a background: words every complaint uses (小区, 居民,
# 严重, 影响, 请, 部门) must weigh little, as they do in a real archive.
BACKGROUND = [
    "A1区五一大道人行道被共享单车堵塞，行人只能走机动车道，请城管部门清理。",
    "A2区某小区物业乱收停车费，业主多次反映没有结果，请相关部门调查处理。",
    "A3区某路口红绿灯时间太短，老人过马路很危险，建议延长行人绿灯时间。",
    "A4区菜市场门口占道经营严重，早上交通堵塞，请城管加强管理。",
    "A6区某工地夜间施工噪音扰民，凌晨还在打桩，居民无法休息。",
    "A7县某村道路坑洼不平，下雨天积水严重，村民出行困难，希望尽快修复。",
    "A市某小区垃圾站臭气熏天，夏天蚊蝇很多，严重影响居民生活。",
    "A市公交站台没有遮雨棚，下雨天乘客只能淋雨等车，建议加装。",
    "A2区某商铺违规住改商开设麻将馆，噪音扰民，请相关部门处理。",
    "A3区某小区电梯经常故障，物业维修不及时，存在安全隐患。",
    "A5区某学校门口接送车辆乱停乱放，早晚高峰严重拥堵。",
    "A1区某小区地下车库漏水，业主车辆被泡，开发商不予理睬。",
    "A4区某路段井盖松动，车辆经过时响声很大，夜里影响休息。",
    "A6区某公园健身器材损坏多时无人维修，老人锻炼存在危险。",
    "A市某培训机构倒闭跑路，家长预交的学费无法退回，请求帮助。",
    "A7县某小区违章搭建阳光房，占用公共绿地，城管执法不力。",
    "A2区某河道垃圾漂浮，散发臭味，请环保部门清理。",
    "A3区某路段路灯不亮，晚上漆黑一片，行人安全没有保障。",
    "A5区某小区业主委员会选举不公开，业主对结果有异议。",
    "A1区某饭店油烟直排，楼上住户不能开窗，请环保部门检查。",
]


def corpus_docs(**fields: object) -> list[RepeatDocument]:
    """The corpus as documents, a day apart, with optional extra fields for every document."""
    return [
        RepeatDocument(
            doc_id=doc_id,
            title=title,
            text=body,
            at=START + timedelta(days=position),
            **fields,  # type: ignore[arg-type]
        )
        for position, (doc_id, title, body) in enumerate(CORPUS)
    ]


def corpus_model() -> TextModel:
    config = TextModel.default_config()
    texts = [document_text(doc, config) for doc in corpus_docs()]
    return TextModel.fit(texts + BACKGROUND, config)
