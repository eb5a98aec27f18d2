"""Named case actions with plain string parameters — what the case screens and the API submit.

``apply_action(svc, case, "decide", {"on": "2022-11-04", "fine": "48000", "decision_number": "…"}, actor)``.
Every action maps to one :class:`~ecoloop.enforcement.cases.CaseService` method; bad parameters raise
:class:`EnforcementError` with a Chinese message.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from ecoloop.enforcement.cases import CaseService
from ecoloop.enforcement.errors import EnforcementError
from ecoloop.standards.penalties import RecheckFinding
from ecoloop.store.models.enforcement import EnforcementCase, EnforcementMeasure, TypicalKind

ACTION_FORM_LABELS: dict[str, str] = {
    "investigate": "开始调查取证",
    "submit_review": "提交案件审查",
    "discuss": "集体讨论",
    "notify": "告知（拟处罚）",
    "waive_rights": "当事人放弃陈述申辩和听证",
    "request_hearing": "申请听证",
    "extend_decision": "延长办案期限",
    "decide": "作出处罚决定",
    "decide_no_penalty": "不予处罚",
    "serve": "送达",
    "execute": "执行完毕",
    "close": "结案",
    "order_correction": "责令改正",
    "recheck": "复查",
    "decide_daily_penalty": "按日连续处罚决定",
    "seize": "查封扣押",
    "extend_seizure": "延长查封扣押",
    "limit_production": "限产停产",
    "release": "解除措施",
    "refer_detention": "移送行政拘留",
    "record_transfer": "已移送公安机关",
    "refer_judicial": "移送司法机关",
    "mark_typical": "标记典型案件",
    "disclose": "公开处罚信息",
    "internal_note": "内部备注",
}


def _date(params: dict[str, str], key: str = "on", required: bool = True) -> date | None:
    value = (params.get(key) or "").strip()
    if not value:
        if required:
            raise EnforcementError(f"请填写日期（{key}）")
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise EnforcementError(f"日期格式应为 YYYY-MM-DD：{value!r}") from exc


def _text(params: dict[str, str], key: str, required: bool = True) -> str:
    value = (params.get(key) or "").strip()
    if required and not value:
        raise EnforcementError(f"请填写 {key}")
    return value


def _int(params: dict[str, str], key: str, default: int | None = None) -> int:
    value = (params.get(key) or "").strip()
    if not value:
        if default is None:
            raise EnforcementError(f"请填写 {key}")
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise EnforcementError(f"{key} 应为整数：{value!r}") from exc


def _measure(case: EnforcementCase, params: dict[str, str]) -> EnforcementMeasure:
    mid = _int(params, "measure_id")
    for m in case.measures:
        if m.id == mid:
            return m
    raise EnforcementError(f"案件中没有措施 {mid}")


def apply_action(svc: CaseService, case: EnforcementCase, action: str, params: dict[str, str], actor: str) -> object:
    handlers: dict[str, Callable[[], object]] = {
        "investigate": lambda: svc.investigate(case, _date(params), actor, _text(params, "note", False)),
        "submit_review": lambda: svc.submit_review(case, _date(params), actor, _text(params, "note", False)),
        "discuss": lambda: svc.discuss(case, _date(params), actor, _text(params, "note", False)),
        "notify": lambda: svc.notify(case, _date(params), actor, params.get("fine") or None,
                                     params.get("hearing_eligible", "1") not in ("0", "false", "")),
        "waive_rights": lambda: svc.waive_rights(case, _date(params), actor),
        "request_hearing": lambda: svc.request_hearing(case, _date(params), actor, _date(params, "hearing_on", False)),
        "extend_decision": lambda: svc.extend_decision(case, _date(params), actor, _text(params, "note")),
        "decide": lambda: svc.decide(case, _date(params), actor, params.get("fine") or None,
                                     _text(params, "decision_number"), params.get("mitigated") in ("1", "true", "on"),
                                     _text(params, "note", False)),
        "decide_no_penalty": lambda: svc.decide_no_penalty(case, _date(params), actor, _text(params, "note")),
        "serve": lambda: svc.serve(case, _date(params), actor, params.get("method") or "直接送达"),
        "execute": lambda: svc.execute(case, _date(params), actor, _text(params, "note", False)),
        "close": lambda: svc.close(case, _date(params), actor, _text(params, "note", False)),
        "order_correction": lambda: svc.order_correction(case, _date(params), _date(params, "correct_by", False),
                                                         actor, _text(params, "content")),
        "recheck": lambda: svc.recheck(case, _measure(case, params), _date(params),
                                       _finding(params.get("finding", "")), actor, _text(params, "note", False)),
        "decide_daily_penalty": lambda: svc.decide_daily_penalty(case, _measure(case, params), _date(params), actor,
                                                                 _text(params, "decision_number"),
                                                                 _date(params, "discharge_stopped_on", False)),
        "seize": lambda: svc.seize(case, _date(params), actor, _text(params, "items"), _int(params, "days", 30)),
        "extend_seizure": lambda: svc.extend_seizure(case, _measure(case, params), _date(params), actor,
                                                     _int(params, "extension_days"), _text(params, "note")),
        "limit_production": lambda: svc.limit_production(case, _date(params), actor, _int(params, "months"),
                                                         params.get("suspend") in ("1", "true", "on"),
                                                         _text(params, "note", False)),
        "release": lambda: svc.release(case, _measure(case, params), _date(params), actor, _text(params, "note")),
        "refer_detention": lambda: svc.refer_detention(
            case, _date(params), actor, [p.strip() for p in _text(params, "persons").replace(",", "，").split("，") if p.strip()],
            _text(params, "note")),
        "record_transfer": lambda: svc.record_transfer(case, _measure(case, params), _date(params), actor,
                                                       _text(params, "receiver")),
        "refer_judicial": lambda: svc.refer_judicial(case, _date(params), actor, _text(params, "note")),
        "mark_typical": lambda: svc.mark_typical(case, _typical(params.get("typical_kind", "")), _date(params), actor),
        "disclose": lambda: svc.disclose(case, _date(params), actor, _text(params, "summary")),
        "internal_note": lambda: svc.add_internal_note(case, _date(params), actor, _text(params, "note")),
    }
    if action not in handlers:
        raise EnforcementError(f"未知的操作 {action!r}")
    return handlers[action]()


def _finding(value: str) -> RecheckFinding:
    try:
        return RecheckFinding(value)
    except ValueError as exc:
        raise EnforcementError("复查结论应为 continuing / obstructed / corrected") from exc


def _typical(value: str) -> TypicalKind:
    try:
        return TypicalKind(value)
    except ValueError as exc:
        raise EnforcementError(f"未知的典型案件类型 {value!r}") from exc
