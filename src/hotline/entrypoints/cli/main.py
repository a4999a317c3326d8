"""``hotline``: the table of its commands, each imported only when it runs (cli/groups.py)."""

from __future__ import annotations

from hotline.entrypoints.cli.groups import LazyCommand, lazy_root

CLI = "hotline.entrypoints.cli"

# name, module under entrypoints/cli, attribute (a Typer group or a command function), help line
COMMANDS = tuple(
    LazyCommand(name, f"{CLI}.{module}", attribute, help)
    for name, module, attribute, help in (
        ("serve", "server", "serve_command", "启动服务：JSON API、Open311 与工作台"),
        ("worker", "server", "worker_command", "后台任务：受理后处理、通知投递、时限预警"),
        ("run", "server", "run_command", "同时启动服务与后台任务（worker），Ctrl-C 一并停止"),
        ("demo", "demo", "demo_command",
         "演示数据：生成济南十三个月的工单（空库），或补齐到今天；生产环境拒绝"),
        ("sweep", "server", "sweep_command", "立即产生到期的时限预警与超期（worker 也会做）"),
        ("db", "db", "db_app", "数据库迁移"),
        ("seed", "db", "seed_command", "载入城市配置：渠道、区划、单位、类别（可重复执行）"),
        ("user", "users", "user_app", "用户与令牌"),
        ("retention", "users", "retention_app", "个人信息保留期限"),
        ("apikey", "apikey", "apikey_app", "Open311 合作平台的 api_key"),
        ("case", "cases", "case_app", "工单查询与历史校验"),
        ("search", "search", "search_app", "工单全文检索索引"),
        ("calendar", "calendar", "calendar_app",
         "工作日历：工作日判断与办理时限计算（法定节假日、调休、作息时间）"),
        ("taxonomy", "taxonomy", "taxonomy_app", "类别（部件/事件 → 大类 → 小类）的导入导出"),
        ("answers", "answers", "answers_app", "标准答复（知识库/常用语）的导入导出"),
        ("org", "org", "org_app", "组织机构（区划、承办单位）的导入导出与退单统计"),
        ("locate", "locate", "locate_command", "地址或坐标定位到区县、街道、社区（无需数据库）"),
        ("route", "locate", "route_command", "某类别某地点的派遣建议与依据（无需数据库）"),
        ("classifier", "classifier", "classifier_app",
         "投诉自动分类：训练、评估、推荐类别，部署与生产准确率"),
        ("repeats", "repeats", "repeats_app",
         "重复投诉：把同一问题的多条诉求分到一组（文本相似度、地点、时间窗口）"),
        ("problems", "problems", "problems_app", "问题台账（挂号销账）：列表与导出"),
        ("supervisions", "supervisions", "supervisions_app",
         "督办：发起与列表，写明督办对象负责人（一把手未登记时警告）"),
        ("hotspots", "hotspots", "hotspots_command", "热点预警：投诉骤增的问题与街道×类别"),
        ("indicators", "indicators", "indicators_app", "热线指标：统计、下钻、结算"),
        ("evaluate", "evaluate", "evaluate_app", "考评：评分、排名、资金、剔除与申诉"),
        ("report", "report", "report_app",
         "通报与报表：当日通报、周汇报、月度报告（HTML / xlsx）"),
        ("editions", "editions", "editions_app", "通报与报表的版本及投递"),
        ("openapi", "openapi", "openapi_command", "输出 API 的 OpenAPI 文档（无需数据库）"),
    )
)  # fmt: skip

app = lazy_root(COMMANDS, no_args_is_help=True, pretty_exceptions_enable=False)


@app.callback()
def hotline() -> None:
    """城管热线工单系统 hotline"""


def main() -> None:
    """Entry point of the ``hotline`` script; refusals end in cli/groups.py's boundary."""
    app()
