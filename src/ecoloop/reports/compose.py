"""Compose the bulletin (BulletinData → ReportDocument): the sentences, tables and charts, in the seed's order.

一、{period}环境质量改善指标完成情况 — （一）大气环境指标, （二）地表水环境指标;
二、重点任务推进情况 — （一）污染源监管, （二）问题闭环管理, （三）专项行动推进, （四）环境执法;
三、下一步工作 — drawn from the same figures (targets not met, problems overdue).

Numbers are printed exactly as the modules returned them (:func:`fmt_num` only removes binary floating-point
noise); rounding belongs to the modules and ``ecoloop.standards``.
"""

from __future__ import annotations

from ecoloop.reports import charts
from ecoloop.reports.bulletin_data import (
    AirSection,
    BulletinData,
    CampaignSection,
    ClosedLoopSection,
    EnforcementSection,
    Indicator,
    Number,
    SourceSupervisionSection,
    WaterSection,
)
from ecoloop.reports.document_model import (
    Block,
    Figure,
    Heading,
    Paragraph,
    ReportDocument,
    ReportTable,
    TableBlock,
)
from ecoloop.reports.official_layout import heading_number

NO_DATA = "本期无数据"
_COMPARATORS = {"<=": "≤", ">=": "≥", "<": "<", ">": ">"}
SECTION_TITLES = {
    "air": "大气环境指标",
    "water": "地表水环境指标",
    "sources": "污染源监管",
    "closed_loop": "问题闭环管理",
    "campaigns": "专项行动推进",
    "enforcement": "环境执法",
}


def fmt_num(value: Number | None, decimals: int | None = None) -> str:
    """A module's number as text: integers as integers, floats as given (no re-rounding; FP noise removed).

    ``decimals``: the number of decimals the standard publishes the (already rounded) value with, e.g. 0 for
    µg/m³ concentrations — 39.0 is written "39", 0.5 with 2 decimals "0.50".
    """
    if value is None:
        return "—"
    if decimals is not None and not isinstance(value, bool):
        return f"{float(value):.{decimals}f}"
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    return repr(round(float(value), 10))


def _attain_phrase(ind: Indicator) -> str:
    t = ind.target
    if t is None:
        return ""
    unit = "%" if ind.unit == "%" else f" {ind.unit}" if ind.unit else ""
    verdict = "完成" if t.attained else "未完成"
    return f"，{verdict}{origin_name(t.origin)}（{fmt_target(t.value)}{unit}）"


def origin_name(origin: str) -> str:
    """The target's kind as the sentence names it: "省定目标（…提案答复，2022年）" → "省定目标" (provenance dropped)."""
    for bracket in ("（", "("):
        origin = origin.split(bracket, 1)[0]
    return origin.strip() or "目标"


def fmt_target(value: Number) -> str:
    """A configured target as the bureau writes it: 44, 63, 1.6 (no trailing zeros)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return fmt_num(value)


def _value(ind: Indicator) -> str:
    return fmt_num(ind.value, ind.decimals)


def _change(ind: Indicator, value: Number | None = None) -> str:
    return fmt_num(ind.change if value is None else value, ind.change_decimals)


def _change_phrase(ind: Indicator, *, up: str = "上升", down: str = "下降") -> str:
    if ind.change is None:
        return ""
    if ind.change == 0:
        return "，与去年同期持平"
    word = up if ind.change > 0 else down
    unit = ind.change_unit or ind.unit
    unit_text = "%" if unit == "%" else f" {unit}" if unit else ""
    return f"，同比{word} {_change(ind, abs(ind.change))}{unit_text}"


def _value_with_unit(ind: Indicator) -> str:
    if ind.unit == "%":
        return f"{_value(ind)}%"
    return f"{_value(ind)} {ind.unit}".rstrip()


class _Numbering:
    """Figure and table numbers in order of appearance."""

    def __init__(self) -> None:
        self.figures = 0
        self.tables = 0

    def figure(self, title: str) -> str:
        self.figures += 1
        return f"图 {self.figures} {title}"

    def table(self, title: str) -> str:
        self.tables += 1
        return f"表 {self.tables} {title}"


class _Composer:
    def __init__(self, data: BulletinData) -> None:
        self.data = data
        self.blocks: list[Block] = []
        self.tables: list[ReportTable] = []
        self.num = _Numbering()
        self.period = data.period.label

    # -- helpers -----------------------------------------------------------------------------------------------
    def heading(self, level: int, n: int, text: str) -> None:
        self.blocks.append(Heading(level, f"{heading_number(level, n)}{text}"))

    def para(self, text: str, style: str = "body") -> None:
        self.blocks.append(Paragraph(text, style))

    def table(self, table: ReportTable) -> None:
        self.tables.append(table)
        if table.in_document and table.rows:
            self.blocks.append(TableBlock(self.num.table(table.title), table))

    def figure(self, key: str, title: str, png: bytes | None) -> None:
        if png is not None:
            self.blocks.append(Figure(key, self.num.figure(title), png))

    def no_data(self, missing: str) -> None:
        self.para(f"{NO_DATA}。")
        del missing  # the missing API is listed in the closing note and returned to the caller

    # -- 一、环境质量 ------------------------------------------------------------------------------------------
    def air(self, n: int) -> None:
        a: AirSection = self.data.air
        self.heading(2, n, SECTION_TITLES["air"])
        if not a.available:
            self.no_data(a.missing)
            return
        clauses: list[str] = []
        if a.composite_index is not None and a.composite_index.value is not None:
            text = f"环境空气质量综合指数为 {_value(a.composite_index)}{_change_phrase(a.composite_index)}"
            if a.composite_ranking is not None:
                r = a.composite_ranking
                text += f"，在{r.list_name}中排名第 {r.rank} 名（倒数第 {r.rank_from_bottom} 名）"
            clauses.append(text)
        if a.pm25 is not None and a.pm25.value is not None:
            clauses.append(
                f"PM_{{2.5}} 平均浓度为 {_value_with_unit(a.pm25)}{_change_phrase(a.pm25)}{_attain_phrase(a.pm25)}"
            )
        if a.good_days is not None and a.good_days.value is not None:
            text = f"优良天数为 {_value_with_unit(a.good_days)}{_change_phrase(a.good_days, up='增加', down='减少')}"
            if a.good_day_ratio is not None and a.good_day_ratio.value is not None:
                text += f"，优良天数比率为 {_value_with_unit(a.good_day_ratio)}{_attain_phrase(a.good_day_ratio)}"
            else:
                text += _attain_phrase(a.good_days)
            clauses.append(text)
        if a.heavy_days is not None and a.heavy_days.value is not None:
            text = f"重污染天数为 {_value_with_unit(a.heavy_days)}{_change_phrase(a.heavy_days, up='增加', down='减少')}"
            if a.heavy_day_ratio is not None and a.heavy_day_ratio.value is not None:
                text += f"，重污染天数比率 {_value_with_unit(a.heavy_day_ratio)}{_attain_phrase(a.heavy_day_ratio)}"
            else:
                text += _attain_phrase(a.heavy_days)
            clauses.append(text)
        if clauses:
            self.para(f"{self.period}，{self.data.region_name}" + "；".join(clauses) + "。")
        if a.coverage_ok is False and a.valid_days is not None:
            need = f"（至少 {a.min_days} 天）" if a.min_days else ""
            self.para(f"注：本期空气质量有效监测天数为 {a.valid_days} 天，未达到 GB 3095 数据有效性要求{need}，"
                      "以上统计结果仅供参考。", style="note")
        others = [i for i in a.other_pollutants if i.value is not None]
        if others:
            parts = [f"{_label(i.label)} {_value_with_unit(i)}{_change_phrase(i)}" for i in others]
            self.para("其他主要污染物：" + "，".join(parts) + "。")

        rows = []
        for ind in [a.composite_index, a.pm25, *a.other_pollutants, a.good_days, a.good_day_ratio, a.heavy_days,
                    a.heavy_day_ratio]:
            if ind is None or ind.value is None:
                continue
            rows.append([
                ind.label, ind.unit or "—", _table_number(ind.value, ind.decimals),
                _table_number(ind.last_year, ind.decimals),
                None if ind.change is None else f"{_change(ind)}{ind.change_unit or ''}",
                None if ind.target is None else f"{_COMPARATORS.get(ind.target.comparator, ind.target.comparator)}"
                f" {fmt_target(ind.target.value)}",
                None if ind.target is None else ("完成" if ind.target.attained else "未完成"),
            ])
        self.table(ReportTable(
            "空气质量指标", "主要空气质量指标完成情况",
            ["指标", "单位", "本期", "去年同期", "同比变化", "目标", "完成情况"], rows,
        ))

        self.figure(
            "aqi_categories", f"{self.period}各月空气质量类别天数",
            charts.aqi_category_chart(a.monthly_categories, a.category_order, a.category_colours),
        )
        cats = a.category_order or sorted({c for m in a.monthly_categories for c in m.days})
        self.table(ReportTable(
            "月度空气质量类别", "各月空气质量类别天数", ["月份", *cats],
            [[m.month, *[m.days.get(c, 0) for c in cats]] for m in a.monthly_categories], in_document=False,
        ))
        target = a.pm25.target.value if a.pm25 is not None and a.pm25.target is not None else None
        origin = origin_name(a.pm25.target.origin) if a.pm25 is not None and a.pm25.target is not None else "目标"
        self.figure(
            "pm25_trend", f"{self.period}各月 PM2.5 平均浓度与目标",
            charts.pm25_trend_chart(a.pm25_monthly, target, origin),
        )
        self.table(ReportTable(
            "PM2.5月均浓度", "各月 PM2.5 平均浓度", ["月份", "PM2.5（微克/立方米）"],
            [[m.month, m.value] for m in a.pm25_monthly], in_document=False,
        ))
        r = a.composite_ranking
        if r is not None and r.entries:
            self.figure("composite_ranking", f"{self.period}环境空气质量综合指数排名（{r.list_name}）",
                        charts.ranking_chart(r))
            self.table(ReportTable(
                "综合指数排名", f"环境空气质量综合指数排名（{r.list_name}）", ["排名", "城市", "综合指数"],
                [[e.rank, e.name, e.value] for e in sorted(r.entries, key=lambda e: (e.rank, e.name))],
                in_document=False,
            ))

    def water(self, n: int) -> None:
        w: WaterSection = self.data.water
        self.heading(2, n, SECTION_TITLES["water"])
        if not w.available:
            self.no_data(w.missing)
            return
        clauses: list[str] = []
        if w.sections_total is not None:
            text = f"{self.period}，{self.data.region_name}{w.sections_total} 个考核断面中"
            if w.good_count is not None:
                text += f"，Ⅰ～Ⅲ类（优良）水质断面 {w.good_count} 个"
                if w.good_ratio is not None:
                    text += f"，占 {fmt_num(w.good_ratio)}%"
            if w.inferior_v_count is not None:
                text += "，无劣Ⅴ类断面" if w.inferior_v_count == 0 else f"，劣Ⅴ类断面 {w.inferior_v_count} 个"
            if w.attained_count is not None:
                text += f"；达到水质目标的断面 {w.attained_count} 个"
            clauses.append(text)
        if w.ranking is not None:
            clauses.append(f"在{w.ranking.list_name}中排名第 {w.ranking.rank} 名")
        if w.compensation_withheld is not None:
            clauses.append(f"依据地表水跨界断面水质考核生态补偿机制，扣缴生态补偿金 {fmt_num(w.compensation_withheld)} 万元")
        if clauses:
            self.para("；".join(clauses) + "。")
        if w.class_counts:
            order = w.class_order or list(w.class_counts)
            self.table(ReportTable(
                "水质类别断面数", "断面水质类别统计", ["水质类别", "断面数"],
                [[c, w.class_counts.get(c, 0)] for c in order], in_document=False,
            ))
        if w.rows:
            self.figure("water_matrix", f"{self.period}各断面逐月水质类别",
                        charts.water_class_matrix_chart(w.months, w.rows, w.class_order, w.class_colours))
            self.table(ReportTable(
                "断面水质", "考核断面水质类别", ["断面", "河流", "级别", "目标", "本期类别"],
                [[r.name, r.river, r.level, r.target_class, r.period_class] for r in w.rows],
            ))
            self.table(ReportTable(
                "断面逐月水质", "各断面逐月水质类别", ["断面", *w.months],
                [[r.name, *r.monthly_classes] for r in w.rows], in_document=False,
            ))

    # -- 二、重点任务 ------------------------------------------------------------------------------------------
    def sources(self, n: int) -> None:
        s: SourceSupervisionSection = self.data.sources
        self.heading(2, n, SECTION_TITLES["sources"])
        if not s.available:
            self.no_data(s.missing)
            return
        parts: list[str] = []
        if s.outlets_monitored is not None:
            text = f"对纳入在线监控的排放口开展实时监管，本期有效监测 {s.outlets_monitored} 个"
            if s.outlets_over_limit is not None:
                text += f"，超标 {s.outlets_over_limit} 个" if s.outlets_over_limit else "，未发现超标"
            if s.exceedance_hours:
                text += f"，累计超标 {s.exceedance_hours} 小时"
            parts.append(text)
        if s.alerts_total is not None:
            text = f"系统产生预警 {s.alerts_total} 条"
            if s.alerts_closed is not None:
                text += f"，已处置 {s.alerts_closed} 条"
            parts.append(text)
        if parts:
            self.para(f"{self.period}，" + "；".join(parts) + "。")
        if s.by_category:
            self.table(ReportTable("在线监控分类", "在线监控排放口分类统计", ["类别", "有效监测（个）", "超标（个）"],
                                   [list(r) for r in s.by_category]))
        if s.alerts_by_kind:
            self.table(ReportTable("预警分类", "预警分类统计", ["预警类型", "条数"],
                                   [[k, v] for k, v in s.alerts_by_kind]))
        if s.over_limit_sources:
            self.table(ReportTable("超标排污单位", "在线监测超标排污单位", ["单位", "超标最多的污染物", "超标小时数"],
                                   [list(r) for r in s.over_limit_sources], in_document=False))

    def closed_loop(self, n: int) -> None:
        c: ClosedLoopSection = self.data.closed_loop
        self.heading(2, n, SECTION_TITLES["closed_loop"])
        if not c.available:
            self.no_data(c.missing)
            return
        parts: list[str] = []
        if c.problems_total is not None:
            text = f"对环境问题线索实行“多个入口、一个出口、闭环管理”，本期共受理问题 {c.problems_total} 件"
            if c.by_channel:
                text += "（其中：" + "，".join(f"{k} {v} 件" for k, v in c.by_channel) + "）"
            parts.append(text)
        if c.closed is not None:
            text = f"已办结销号 {c.closed} 件"
            if c.closed_on_time is not None:
                text += f"，按期办结 {c.closed_on_time} 件"
                if c.on_time_ratio is not None:
                    text += f"（按期办结率 {fmt_num(c.on_time_ratio)}%）"
            parts.append(text)
        if c.in_progress is not None:
            parts.append(f"正在办理 {c.in_progress} 件")
        if c.overdue is not None:
            parts.append(f"逾期未办结 {c.overdue} 件" if c.overdue else "无逾期未办结问题")
        if c.rewards_count is not None:
            text = f"兑现有奖举报 {c.rewards_count} 件"
            if c.rewards_amount is not None:
                text += f"，奖励金额 {fmt_num(c.rewards_amount)} 万元"
            parts.append(text)
        if parts:
            self.para("；".join(parts) + "。")
        if c.by_channel:
            self.table(ReportTable("问题来源渠道", "问题来源渠道统计", ["来源渠道", "件数"],
                                   [[k, v] for k, v in c.by_channel]))

    def campaigns(self, n: int) -> None:
        c: CampaignSection = self.data.campaigns
        self.heading(2, n, SECTION_TITLES["campaigns"])
        if not c.available or not (c.campaigns or c.problems):
            self.no_data(c.missing or "no campaigns")
            return
        if c.problems:
            found = sum(r[1] for r in c.problems)
            closed = sum(r[2] for r in c.problems)
            self.para(f"{len(c.problems)} 项专项行动本期共发现问题 {found} 个，销号 {closed} 个。")
            self.table(ReportTable(
                "专项行动问题", "专项行动问题发现与整改情况",
                ["专项行动", "发现问题", "销号", "按时销号", "期末未办结"], [list(r) for r in c.problems],
            ))
        if not c.campaigns:
            return
        as_of = c.as_of
        when = f"截至 {as_of.year} 年 {as_of.month} 月 {as_of.day} 日" if as_of else "截至本期末"
        for row in c.campaigns:
            parts = []
            if row.quantity is not None:
                due = f"（{row.due.year} 年 {row.due.month} 月 {row.due.day} 日前）" if row.due else ""
                parts.append(f"{row.plan or row.name}计划{due}完成 {row.quantity} {row.unit_label}")
            if row.done == 0 and not row.expected:
                parts.append(f"{when}尚未到第一个计划节点")
            elif row.done is not None:
                text = f"{when}已完成 {row.done} {row.unit_label}"
                if row.expected:
                    text += f"（按节点应完成 {row.expected} {row.unit_label}）"
                text += "，进度滞后" if row.late else ""
                parts.append(text)
            if row.unit:
                parts.append(f"责任单位：{row.unit}")
            self.para(f"**围绕“{row.name}”**，" + ("；".join(parts) or NO_DATA) + "。")
        self.table(ReportTable(
            "专项行动", "专项行动计划推进情况",
            ["专项行动", "计划", "责任单位", "计划量", "已完成", "按节点应完成", "进度"],
            [[r.name, r.plan, r.unit, r.quantity, r.done, r.expected,
              None if r.late is None else ("滞后" if r.late else "正常")] for r in c.campaigns],
        ))

    def enforcement(self, n: int) -> None:
        e: EnforcementSection = self.data.enforcement
        self.heading(2, n, SECTION_TITLES["enforcement"])
        if not e.available:
            self.no_data(e.missing)
            return
        parts: list[str] = []
        if e.cases is not None:
            parts.append(f"累计立案查处环境违法问题 {e.cases} 件")
        if e.fines is not None:
            parts.append(f"罚款 {fmt_num(e.fines)} 万元")
        inner: list[str] = []
        n_daily = e.daily_penalty_count if e.daily_penalty_count is not None else (
            len(e.daily_penalty_cases) if e.daily_penalty_cases else None)
        if n_daily:
            text = f"按日连续计罚 {n_daily} 件"
            if e.daily_penalty_cases:
                text += "<" + "；".join(
                    f"{d.party}{'因' + d.reason if d.reason else ''}，按日连续处罚 {d.days} 天，"
                    f"共计 {fmt_num(d.amount)} 万元"
                    for d in e.daily_penalty_cases) + ">"
            inner.append(text)
        # the parenthesis lists what happened; zero counts stay in the table, not in the sentence
        if e.detention_transfers:
            inner.append(f"移送公安机关行政拘留 {e.detention_transfers} 件")
        if e.criminal_transfers:
            inner.append(f"移送涉嫌环境犯罪 {e.criminal_transfers} 件")
        if e.seizures:
            inner.append(f"查封扣押 {e.seizures} 件")
        if e.production_limits:
            inner.append(f"{e.production_limits} 家企业责令限产停产")
        if e.typical_cases is not None:
            text = f"办理典型案件 {e.typical_cases} 件"
            if inner:
                text += "（其中：" + "，".join(inner) + "）"
            parts.append(text)
        elif inner:
            parts.append("，".join(inner))
        if parts:
            self.para(f"{self.period}，" + "，".join(parts) + "。")
        rows = [[label, value] for label, value in [
            ("立案查处（件）", e.cases), ("罚款（万元）", e.fines), ("典型案件（件）", e.typical_cases),
            ("按日连续计罚（件）", n_daily), ("移送行政拘留（件）", e.detention_transfers),
            ("移送涉嫌犯罪（件）", e.criminal_transfers), ("查封扣押（件）", e.seizures),
            ("限产停产（家）", e.production_limits)] if value is not None]
        self.table(ReportTable("执法统计", "环境执法统计", ["项目", "数量"], rows))
        if e.daily_penalty_cases:
            self.table(ReportTable(
                "按日连续处罚", "按日连续处罚案件", ["当事人", "违法行为", "计罚天数", "罚款（万元）"],
                [[d.party, d.reason, d.days, d.amount] for d in e.daily_penalty_cases], in_document=False,
            ))

    # -- 三、下一步 --------------------------------------------------------------------------------------------
    def next_steps(self) -> None:
        a = self.data.air
        unmet = [i.label for i in [a.pm25, a.good_day_ratio, a.good_days, a.heavy_day_ratio, a.heavy_days]
                 if a.available and i is not None and i.target is not None and not i.target.attained]
        items: list[str] = []
        if unmet:
            items.append(f"针对{'、'.join(_label(u) for u in unmet)}未完成目标的情况，分析成因，细化整改措施，"
                         "加密调度，确保下一阶段完成目标任务")
        c = self.data.closed_loop
        if c.available and c.overdue:
            items.append(f"对逾期未办结的 {c.overdue} 件问题逐件督办，压实属地责任，限期整改销号")
        w = self.data.water
        if w.available and w.inferior_v_count:
            items.append(f"对 {w.inferior_v_count} 个劣Ⅴ类断面开展溯源排查，落实“一断面一策”")
        if not items:
            items.append("巩固现有成效，持续做好环境质量监测、问题闭环管理和环境执法各项工作")
        for i, text in enumerate(items, start=1):
            self.para(f"{heading_number(3, i)}{text}。")

    def build(self) -> ReportDocument:
        d = self.data
        self.heading(1, 1, f"{self.period}环境质量改善指标完成情况")
        self.air(1)
        self.water(2)
        self.heading(1, 2, "重点任务推进情况")
        self.sources(1)
        self.closed_loop(2)
        self.campaigns(3)
        self.enforcement(4)
        self.heading(1, 3, "下一步工作")
        self.next_steps()
        missing = d.missing_apis()
        if missing:
            names = "、".join(SECTION_TITLES[k] for k in missing)
            self.para(f"说明：{names}部分本期无数据。", style="note")
        if d.is_demo:
            self.para("注：本报告使用演示数据（演示数据），数字不代表真实环境状况。", style="note")
        self.para(d.organ, style="signature")
        self.para(f"{d.generated_on.year} 年 {d.generated_on.month} 月 {d.generated_on.day} 日", style="signature")
        subtitle = [f"（{d.period.label_compact}{'，演示数据' if d.is_demo else ''}）"]
        return ReportDocument(
            title=f"{d.region_name}{d.period.label_compact}生态环境质量状况及重点工作进展",
            subtitle_lines=subtitle,
            blocks=self.blocks,
            tables=self.tables,
            missing=missing,
            gaps={k: list(v.gaps) for k, v in d.sections().items() if v.available and v.gaps},
        )


def _table_number(value: Number | None, decimals: int | None) -> Number | None:
    """Table cells keep numbers numeric (Excel); a whole number published without decimals becomes an int."""
    if value is None or decimals != 0:
        return value
    return int(round(float(value)))


def _label(label: str) -> str:
    """Labels may carry PM2.5 → write it with the subscript markup in running text."""
    for plain, marked in (("PM2.5", "PM_{2.5}"), ("PM10", "PM_{10}"), ("SO2", "SO_{2}"), ("NO2", "NO_{2}"),
                          ("O3", "O_{3}")):
        label = label.replace(plain, marked)
    return label


def compose(data: BulletinData) -> ReportDocument:
    return _Composer(data).build()
