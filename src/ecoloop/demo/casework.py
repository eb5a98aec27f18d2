"""Demo problems (演示数据): a year of the closed loop in 晋城市（演示）, plus live items up to "now".

Shaped on the seed (shared/seed): the 2022 秋冬防 "thirteen special actions" as campaigns; 131 straw-burning
problems from satellite fire points (imported through the real CSV importer); 73 fireworks problems found and
stopped; night checks (专职夜查), inspections, public reports with rewards (有奖举报), hotline and Open311 reports,
referrals from the province, monitoring alerts; the fixed-bed gasifier phase-out plan (26 done in 2022, 73 in
2023, 148 by 2024-09-30). Outcomes are drawn with a fixed seed: most problems closed on time, some late, some
failing verification once, some rejected or duplicate, and the last weeks still open (some overdue, escalated).
Every record carries ``is_demo = True``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from ecoloop.casework import rewards
from ecoloop.casework.dispatch import install_default_rules
from ecoloop.casework.escalation import escalate_overdue
from ecoloop.casework.fire_points import import_fire_points
from ecoloop.casework.grid import GridIndex, OutsideCity
from ecoloop.casework.intake import open_problem, open_problem_from_alert
from ecoloop.casework.lifecycle import SYSTEM, Actor, apply
from ecoloop.casework.plans import add_plan, report_progress
from ecoloop.store.models import PollutionSource, Region, RegionLevel, Role, Site
from ecoloop.store.models.casework import Campaign, Channel, Problem, ProblemStatus

CAMPAIGNS = (  # the seed's 十三项专项整治行动 (2022 秋冬防)
    ("ZX01", "重点行业提标升级", "steel_foundry"), ("ZX02", "道路、裸地、堆场扬尘整治", "yard_bare_land"),
    ("ZX03", "施工扬尘整治", "construction_site"), ("ZX04", "中重型货车整治", "heavy_vehicle"),
    ("ZX05", "黑加油站点整治", "fuel_station"), ("ZX06", "散煤整治", "coal_retail"),
    ("ZX07", "秸秆禁烧", "straw_burning"), ("ZX08", "餐饮油烟整治", "restaurant"),
    ("ZX09", "“散乱污”整治", "scattered_polluting"), ("ZX10", "企业偷排偷放整治", "wastewater"),
    ("ZX11", "国控点周边精细化管理", "road"), ("ZX12", "烟花爆竹禁燃禁放", "fireworks"),
    ("ZX13", "锅炉整治", "boiler"),
)

TEXTS = {
    "restaurant": ("饭店油烟直排", "楼下饭店油烟净化器不开，油烟直接排到小区里。"),
    "construction_site": ("工地扬尘未覆盖", "工地土方没有苫盖，车辆出场不冲洗，扬尘很大。"),
    "yard_bare_land": ("裸地未苫盖", "路边一大片裸露土地，刮风时尘土飞扬。"),
    "road": ("道路积尘严重", "主干道积尘多，洒水清扫不到位。"),
    "scattered_polluting": ("疑似“散乱污”作坊", "村边小作坊夜间生产，气味刺鼻，没有任何治理设施。"),
    "boiler": ("锅炉冒黑烟", "单位锅炉房烟囱冒黑烟。"),
    "coal_retail": ("销售劣质散煤", "路边有人售卖劣质散煤。"),
    "fuel_station": ("黑加油点", "村口有无证加油点，用油桶给货车加油。"),
    "wastewater": ("企业偷排废水", "夜间有企业向河道排放黑色废水。"),
    "fireworks": ("燃放烟花爆竹", "禁放区内有人燃放烟花爆竹。"),
    "heavy_vehicle": ("货车冒黑烟", "重型货车冒黑烟，尾气很重。"),
    "straw_burning": ("焚烧秸秆", "田里有人焚烧秸秆。"),
}

PUBLIC_CATS = ["restaurant", "construction_site", "yard_bare_land", "road", "scattered_polluting", "boiler",
               "coal_retail", "fuel_station", "wastewater", "heavy_vehicle"]
NIGHT_CATS = ["restaurant", "construction_site", "scattered_polluting", "boiler", "wastewater", "heavy_vehicle"]
INSPECT_CATS = ["construction_site", "yard_bare_land", "road", "boiler", "coal_retail", "scattered_polluting",
                "restaurant", "steel_foundry", "coking", "chemicals", "cement"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马胡郭"

FIVE = {
    "list_task": "{campaign}：{title}",
    "list_problem": "{title}（{where}）",
    "list_measure": "责令立即整改，落实{measure}，整改完成后上传佐证材料",
}
MEASURES = {
    "restaurant": "油烟净化设施正常运行并定期清洗", "construction_site": "“六个百分之百”防尘措施",
    "yard_bare_land": "苫盖、绿化或硬化", "road": "机扫+洒水“以克论净”", "straw_burning": "火点扑灭、责任追溯、网格巡查",
    "fireworks": "现场制止、收缴、教育", "boiler": "低氮燃烧改造/达标排放", "scattered_polluting": "取缔或整改提升",
    "coal_retail": "劣质煤收缴置换", "fuel_station": "取缔黑加油点", "wastewater": "停止排放、查明去向、立案查处",
    "heavy_vehicle": "路检路查、限期维修", "steel_foundry": "超低排放改造", "coking": "超低排放改造",
    "chemicals": "泄漏检测与修复（LDAR）", "cement": "超低排放改造",
}


class _Demo:
    def __init__(self, s: Session, rng: np.random.Generator) -> None:
        self.s, self.rng = s, rng
        self.grid = GridIndex.load(s)
        self.counties = {r.code: r for r in s.scalars(select(Region).where(Region.level == RegionLevel.county))}
        self.villages = list(s.scalars(select(Region).where(Region.level == RegionLevel.village)))
        self.sources: dict[str, list[PollutionSource]] = {}
        for src in s.scalars(select(PollutionSource)):
            self.sources.setdefault(str(src.category), []).append(src)
        self.campaigns: dict[str, Campaign] = {}
        self.counter = 0

    # ---- actors
    def county_officer(self, region_code: str) -> Actor:
        county = self.counties.get(region_code[:6])
        name = county.name if county else "市局"
        return Actor(f"{name}生态环境分局（演示）", Role.county, region_code[:6] if county else "140500")

    def grid_officer(self, region_code: str) -> Actor:
        return Actor(f"网格员{region_code[-3:]}（演示）", Role.grid_officer, region_code[:9])

    def city(self) -> Actor:
        return Actor("市局督办科（演示）", Role.analyst, "140500")

    # ---- helpers
    def office_time(self, day: date) -> datetime:
        hour = float(self.rng.uniform(8.5, 17.5))
        return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=hour - 8)

    def night_time(self, day: date) -> datetime:
        hour = float(self.rng.uniform(20, 26))  # 20:00–02:00 CST
        return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=hour - 8)

    def random_day(self, start: date, end: date) -> date:
        return start + timedelta(days=int(self.rng.integers(0, (end - start).days + 1)))

    def inside(self, lon: float, lat: float) -> bool:
        try:
            self.grid.locate(lon, lat)
        except OutsideCity:
            return False
        return True

    def village_point(self) -> tuple[float, float]:
        while True:
            v = self.villages[int(self.rng.integers(len(self.villages)))]
            lon, lat = round(v.lon + float(self.rng.normal(0, 0.003)), 6), round(v.lat + float(self.rng.normal(0, 0.003)), 6)
            if self.inside(lon, lat):
                return lon, lat

    def source_point(self, category: str) -> tuple[float, float, int | None]:
        pool = self.sources.get(category)
        if not pool:
            lon, lat = self.village_point()
            return lon, lat, None
        for _ in range(20):
            src = pool[int(self.rng.integers(len(pool)))]
            lon, lat = round(src.lon + float(self.rng.normal(0, 0.0003)), 6), round(src.lat + float(self.rng.normal(0, 0.0003)), 6)
            if self.inside(lon, lat):
                return lon, lat, src.id
        lon, lat = self.village_point()
        return lon, lat, None

    def campaign_for(self, category: str) -> int | None:
        c = self.campaigns.get(category)
        return c.id if c else None

    # ---- the life of one problem after intake
    def run(self, p: Problem, received: datetime, now: datetime, *, fail_p: float = 0.1, late_p: float = 0.12,
            reject_p: float = 0.04, public: bool = False) -> None:
        rng = self.rng
        if received > now - timedelta(days=45):
            late_p = max(late_p, 0.35)  # live items: enough running late to fill the overdue board (逾期督办)
        county, grid = self.county_officer(p.region_code), self.grid_officer(p.region_code)
        t = received + timedelta(hours=float(rng.uniform(0.5, 20)))
        if t > now:
            return
        if rng.random() < reject_p:
            apply(self.s, p, "reject", county, note="经核实不属于生态环境部门职责，已告知举报人", at=t)
            return
        apply(self.s, p, "accept", county, at=t)
        t += timedelta(hours=float(rng.uniform(0.2, 4)))
        if t > now:
            return
        region = self.s.get(Region, p.region_code)
        where = p.address or (region.name if region else p.region_code)
        data = {k: v.format(campaign=self._campaign_name(p.category), title=p.title, where=where,
                            measure=MEASURES.get(p.category, "整改措施")) for k, v in FIVE.items()}
        apply(self.s, p, "dispatch", county, data=data, at=t)
        due = p.due_date
        t += timedelta(hours=float(rng.uniform(2, 30)))
        if t > now:
            return
        apply(self.s, p, "start", grid, at=t)
        for attempt in range(3):
            late = rng.random() < late_p
            due_end = datetime(due.year, due.month, due.day, 9, tzinfo=UTC)  # 17:00 CST on the due day
            span = (due_end - t).total_seconds()
            if late or span <= 3600:
                t = due_end + timedelta(days=float(rng.uniform(1, 6)))
                esc_at = due_end + timedelta(hours=16)  # the next morning's escalation run (逾期升级)
                if esc_at < min(t, now) and p.status.value in ("dispatched", "rectifying", "returned"):
                    resp = self.s.get(Region, p.responsible_region_code or p.region_code)
                    apply(self.s, p, "escalate", SYSTEM, at=esc_at, note="逾期 1 个工作日，升级至上一级",
                          data={"to_region_code": resp.parent_code if resp else None, "due_date": due.isoformat()})
            else:
                t += timedelta(seconds=float(rng.uniform(0.3, 1.0)) * span)
            if t > now:
                return
            apply(self.s, p, "submit", grid, note="已按要求整改完毕，附整改前后照片。", at=t)
            t += timedelta(hours=float(rng.uniform(4, 60)))
            if t > now:
                return
            if attempt < 2 and rng.random() < fail_p:
                apply(self.s, p, "verify_fail", county, note="现场复核问题仍存在，退回重新整改", data={"working_days": 3}, at=t)
                due = p.due_date
                t += timedelta(hours=float(rng.uniform(1, 12)))
                if t > now:
                    return
                apply(self.s, p, "start", grid, at=t)
                continue
            apply(self.s, p, "verify_pass", county, note="现场核查，问题已整改到位", at=t)
            break
        t += timedelta(hours=float(rng.uniform(0.5, 30)))
        if t > now:
            return
        apply(self.s, p, "close", county, note="销号", at=t)
        if rng.random() < 0.03:  # 问题反弹: reopened after a new complaint, fixed again
            t += timedelta(days=float(rng.uniform(5, 40)))
            if t > now:
                return
            apply(self.s, p, "reopen", county, note="群众反映问题反弹，重新交办", data={"working_days": 5}, at=t)
            for action, note in (("start", ""), ("submit", "已再次整改并加强日常巡查"), ("verify_pass", "复查合格"),
                                 ("close", "销号")):
                t += timedelta(hours=float(rng.uniform(6, 40)))
                if t > now:
                    return
                apply(self.s, p, action, county if action in ("verify_pass", "close") else grid, note=note, at=t)
        if public and rng.random() < 0.9:
            t += timedelta(days=float(rng.uniform(2, 10)))
            if t > now:
                return
            rewards.approve(self.s, p, self.city(), at=t)
            t += timedelta(days=float(rng.uniform(3, 15)))
            if t <= now:
                rewards.record_payment(self.s, p, self.city(), f"JL{t:%Y%m%d}{p.id:05d}", at=t)

    def _campaign_name(self, category: str) -> str:
        c = self.campaigns.get(category)
        return c.name if c else "日常监管"

    # ---- channels
    def public_report(self, day: date, now: datetime, channel: Channel = Channel.public_web) -> None:
        cat = PUBLIC_CATS[int(self.rng.integers(len(PUBLIC_CATS)))]
        lon, lat, src = self.source_point(cat)
        title, text = TEXTS[cat]
        at = self.office_time(day) + timedelta(hours=float(self.rng.uniform(-6, 4)))
        named = self.rng.random() < 0.6
        name = f"{SURNAMES[int(self.rng.integers(len(SURNAMES)))]}先生（演示）" if named else None
        phone = f"1390356{int(self.rng.integers(0, 10000)):04d}" if named else None
        res = open_problem(self.s, channel=channel, category=cat, title=title, description=text, occurred_at=at,
                           received_at=at, lon=lon, lat=lat, source_id=src, reporter_name=name, reporter_phone=phone,
                           original={"title": title, "description": text, "lon": lon, "lat": lat, "name": name,
                                     "phone": phone, "demo": True}, with_receipt=True, grid=self.grid,
                           campaign_id=self.campaign_for(cat), is_demo=True,
                           actor=Actor("12369热线（演示）" if channel == Channel.hotline else "群众（演示）"))
        p = res.problem
        if res.duplicate_candidates and self.rng.random() < 0.7:
            t = at + timedelta(hours=2)
            if t <= now:
                apply(self.s, p, "mark_duplicate", self.county_officer(p.region_code),
                      data={"duplicate_of": res.duplicate_candidates[0]}, note="与已受理问题重复，合并办理", at=t)
            return
        if self.rng.random() < 0.08:  # a second resident reports the same problem a few hours later (重复举报)
            t2 = at + timedelta(hours=float(self.rng.uniform(2, 20)))
            if t2 <= now:
                dup = open_problem(self.s, channel=Channel.hotline, category=cat, title=title, description=text,
                                   occurred_at=t2, received_at=t2, lon=lon + 0.0004, lat=lat - 0.0003,
                                   original={"title": title, "description": text, "demo": True}, with_receipt=True,
                                   grid=self.grid, is_demo=True, actor=Actor("12369热线（演示）"))
                if p.id in dup.duplicate_candidates:
                    apply(self.s, dup.problem, "mark_duplicate", self.county_officer(p.region_code),
                          data={"duplicate_of": p.id}, note="与已受理问题重复，合并办理", at=t2 + timedelta(hours=1))
        self.run(p, at, now, public=True, reject_p=0.08)

    def finding(self, channel: Channel, cat: str, day: date, now: datetime) -> None:
        lon, lat, src = self.source_point(cat)
        title, text = TEXTS.get(cat, (f"{cat} 检查发现问题", "现场检查发现问题。"))
        at = self.night_time(day) if channel == Channel.night_check else self.office_time(day)
        prefix = {Channel.night_check: "夜查：", Channel.inspection: "巡查：", Channel.drone: "无人机："}[channel]
        res = open_problem(self.s, channel=channel, category=cat, title=prefix + title, description=text,
                           occurred_at=at, received_at=at, lon=lon, lat=lat, source_id=src,
                           original={"form": "现场检查记录", "title": title, "lon": lon, "lat": lat}, grid=self.grid,
                           campaign_id=self.campaign_for(cat), is_demo=True, actor=self.county_officer(
                               self.grid.locate(lon, lat).region_code))
        self.run(res.problem, at, now, reject_p=0.0)


def load(ctx) -> str:  # noqa: ANN001 - DemoContext
    rng = np.random.default_rng(131)  # own stream: the casework demo does not shift other areas' draws
    now = datetime.now(UTC)
    with ctx.session_factory() as s, s.begin():
        if s.scalar(select(Problem.id).where(Problem.is_demo.is_(True)).limit(1)) is not None:
            return "problems: demo already loaded"
        install_default_rules(s, is_demo=True)
        d = _Demo(s, rng)
        for code, name, cat in CAMPAIGNS:
            c = Campaign(code=f"2022QDF-{code}", name=name, category=cat, start_date=date(2022, 10, 1),
                         end_date=date(2023, 3, 31), region_code=ctx.city_code, is_demo=True)
            s.add(c)
            d.campaigns[cat] = c
        s.flush()
        plan = add_plan(s, title="固定床间歇式气化炉淘汰提升", responsible_unit="市工信局、相关煤化工企业",
                        region_code=ctx.city_code, quantity=148, unit_label="台",
                        milestones=[(date(2023, 12, 31), 73), (date(2024, 9, 30), 148)],
                        campaign_id=d.campaigns["steel_foundry"].id, is_demo=True)
        for as_of, done in ((date(2023, 6, 30), 30), (date(2023, 12, 25), 73), (date(2024, 6, 30), 118),
                            (date(2024, 9, 26), 148)):
            if datetime(as_of.year, as_of.month, as_of.day, tzinfo=UTC) <= now:
                report_progress(s, plan, as_of, done, note="演示数据")
        counts: dict[str, int] = {}

        # 131 straw-burning fire points (seed), 2022: June wheat harvest and the Oct–Nov autumn harvest.
        rural = [c for code, c in d.counties.items() if code != "140502"]
        by_day: dict[date, list[str]] = {}
        for i in range(131):
            day = d.random_day(date(2022, 6, 5), date(2022, 6, 25)) if i < 31 else \
                d.random_day(date(2022, 10, 5), date(2022, 11, 25))
            county = rural[int(rng.integers(len(rural)))]
            villages = [v for v in d.villages if v.code.startswith(county.code)]
            while True:
                v = villages[int(rng.integers(len(villages)))]
                lon, lat = v.lon + float(rng.normal(0, 0.01)), v.lat + float(rng.normal(0, 0.01))
                if d.inside(round(lon, 5), round(lat, 5)):
                    break
            conf = int(rng.integers(55, 100))
            by_day.setdefault(day, []).append(f"HD{day:%Y%m%d}-{i:03d},{lon:.5f},{lat:.5f},{day}T13:{int(rng.integers(10, 59))}:00,{conf}")
        fire_ids: list[int] = []
        for day, rows in sorted(by_day.items()):
            text = "id,longitude,latitude,time,confidence\n" + "\n".join(rows) + "\n"
            res = import_fire_points(s, text, campaign_id=d.campaigns["straw_burning"].id, is_demo=True,
                                     received_at=datetime(day.year, day.month, day.day, 7, 30, tzinfo=UTC))
            fire_ids += res.created
        for pid in fire_ids:
            p = s.get(Problem, pid)
            d.run(p, p.received_at.replace(tzinfo=UTC), now, fail_p=0.05, late_p=0.08)
        counts["satellite"] = len(fire_ids)

        # 73 fireworks problems found and stopped around the 2022 Spring Festival and New Year (seed).
        for i in range(73):
            day = d.random_day(date(2022, 1, 25), date(2022, 2, 15)) if i < 50 else d.random_day(date(2022, 12, 20), date(2022, 12, 31))
            d.finding(Channel.night_check if i % 2 else Channel.inspection, "fireworks", day, now)
        counts["fireworks"] = 73
        for _ in range(160):  # 专职夜查
            day = d.random_day(date(2022, 1, 1), date(2022, 12, 31))
            d.finding(Channel.night_check, NIGHT_CATS[int(rng.integers(len(NIGHT_CATS)))], day, now)
        for _ in range(220):  # 巡查
            day = d.random_day(date(2022, 1, 1), date(2022, 12, 31))
            d.finding(Channel.inspection, INSPECT_CATS[int(rng.integers(len(INSPECT_CATS)))], day, now)
        for _ in range(24):  # 无人机巡查 (spring dust and autumn straw)
            day = d.random_day(date(2022, 3, 1), date(2022, 11, 30))
            d.finding(Channel.drone, ("yard_bare_land", "construction_site", "straw_burning")[int(rng.integers(3))],
                      day, now)
        for i in range(260):  # 群众举报 via web / Open311 / hotline
            day = d.random_day(date(2022, 1, 1), date(2022, 12, 31))
            ch = (Channel.public_web, Channel.public_web, Channel.hotline, Channel.open311)[i % 4]
            d.public_report(day, now, ch)
        # Referrals from the provincial inspection team, with their own number and due date.
        for i in range(18):
            day = d.random_day(date(2022, 4, 1), date(2022, 11, 30))
            cat = ("yard_bare_land", "scattered_polluting", "wastewater", "coal_retail")[i % 4]
            lon, lat, src = d.source_point(cat)
            at = d.office_time(day)
            due = day + timedelta(days=20)
            res = open_problem(s, channel=Channel.referral, category=cat, title=f"省生态环境保护督察交办：{TEXTS[cat][0]}",
                               description=TEXTS[cat][1], occurred_at=at, received_at=at, lon=lon, lat=lat, source_id=src,
                               external_ref=f"晋环督办〔2022〕{i + 1:03d}号", referral_from="山西省生态环境保护督察办公室（演示）",
                               referral_due_date=due, original={"doc": f"晋环督办〔2022〕{i + 1:03d}号"}, grid=d.grid,
                               is_demo=True, actor=d.city())
            d.run(res.problem, at, now, reject_p=0.0)
        # Monitoring alerts through the public contract (the alerts module's entry point).
        stations = list(s.scalars(select(Site).where(Site.kind == "air_micro")))
        for i in range(30):
            site = stations[i % len(stations)] if stations else None
            day = d.random_day(date(2022, 1, 1), date(2022, 12, 31))
            at = d.office_time(day)
            pid = open_problem_from_alert(
                s, rule="micro_pm10_exceed", alert_ref=f"DEMO-ALERT-2022-{i:03d}", title="微型站 PM10 小时浓度异常升高",
                description="微型站 PM10 连续 3 小时高于周边国控点 2 倍（演示）", category="road",
                region_code=site.region_code if site else "140502", occurred_at=at, site_id=site.id if site else None,
                lon=site.lon if site else None, lat=site.lat if site else None, received_at=at)
            p = s.get(Problem, pid)
            p.is_demo = True
            d.run(p, at, now, reject_p=0.1)
        counts["alerts"] = 30

        # Live items: the last 45 days up to now, so inboxes, the verification queue and the overdue board are busy.
        live_start = (now - timedelta(days=45)).date()
        for i in range(60):
            day = d.random_day(live_start, now.date())
            if i % 3 == 0:
                d.public_report(day, now)
            else:
                d.finding(Channel.inspection if i % 2 else Channel.night_check,
                          NIGHT_CATS[int(rng.integers(len(NIGHT_CATS)))], day, now)
        escalate_overdue(s, now)
        overdue_now = len(list(s.scalars(select(Problem.id).where(
            Problem.is_overdue.is_(True), Problem.status.in_(["dispatched", "rectifying", "returned"])))))
        total = s.scalar(select(Problem.id).order_by(Problem.id.desc()).limit(1)) or 0
        closed = len(list(s.scalars(select(Problem.id).where(Problem.status == ProblemStatus.closed))))
    return (f"problems: {total} demo problems ({counts['satellite']} satellite fire points, {counts['fireworks']} fireworks, "
            f"30 alerts, night checks, inspections, public reports with rewards, referrals); {closed} closed (销号); "
            f"{overdue_now} overdue now (escalated); 13 campaigns; gasifier phase-out plan")
