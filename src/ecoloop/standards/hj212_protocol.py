"""HJ 212 protocol tables as data: system codes (ST), command codes (CN), reply codes, Flag bits, versions.

Sources (``shared/reference/hj212.md`` and ``new-editions-2025-2026.md``):
- HJ 212-2017 表 5 (ST), 表 9 (CN), 表 6 (ExeRtn), 表 7 (QnRtn), 6.3.2 / 表 3 (Flag) [V];
- HJ/T 212-2005 commands dropped in 2017 — one implementation's list (linqiu126/hcu) [S];
- HJ 212-2025 additions (in force 2026-01-01): CN 1001/1002/1014/2013/2052/2062/2111/3022/3024/9015,
  ST 44/45, version bits ``000010``, ``RF=1`` resend marker [S, text not verified clause by clause].

The tables are data so a new edition is an addition here, not a change in the parser.
"""

from __future__ import annotations

from datetime import timedelta

# ---- Flag (HJ 212-2017 §6.3.2 表 3; 2025 表 3) -------------------------------------------------------------------
# Decode by bit POSITION: bit 0 = reply requested, bit 1 = split packet (PNUM/PNO present), bits 2–7 = version.
# 2017 names them A (bit 0) and D (bit 1); HJ 212-2025 swaps the letters (A = split, D = reply) — the bits are the
# same, so code must never rely on the letters.
FLAG_BIT_ACK = 0x01  # 2017 "A" / 2025 "D": the receiver must answer (9014 for data)
FLAG_BIT_SPLIT = 0x02  # 2017 "D" / 2025 "A": PNUM and PNO present
FLAG_VERSION_SHIFT = 2
VERSION_BITS: dict[int, str] = {0: "2005", 1: "2017", 2: "2025"}  # V5..V0 = 000000 / 000001 / 000010

# ---- ST system codes (表 5; 2025 adds 44, 45) ---------------------------------------------------------------------
SYSTEM_CODES: dict[str, str] = {
    "21": "地表水质量监测",
    "22": "空气质量监测",
    "23": "声环境质量监测",
    "24": "地下水质量监测",
    "25": "土壤质量监测",
    "26": "海水质量监测",
    "27": "挥发性有机物监测",
    "31": "大气环境污染源",
    "32": "地表水体环境污染源",
    "33": "地下水体环境污染源",
    "34": "海洋环境污染源",
    "35": "土壤环境污染源",
    "36": "声环境污染源",
    "37": "振动环境污染源",
    "38": "放射性环境污染源",
    "39": "工地扬尘污染源",
    "41": "电磁环境污染源",
    "44": "生产及治污设施用电监测",  # HJ 212-2025 [S]
    "45": "关键生产工况监测",  # HJ 212-2025 [S]
    "51": "烟气排放过程监控",
    "52": "污水排放过程监控",
    "91": "系统交互",
}
ST_REPLY = "91"  # 9011–9014 replies are sent with ST=91

# ---- CN command codes (表 9 + 2005 extras + 2025 additions) ---------------------------------------------------------
COMMANDS: dict[str, tuple[str, str]] = {
    # code: (meaning, edition that defines it)
    "1000": ("设置超时时间及重发次数", "2017"),
    "1001": ("上传数采仪硬件序列号 / 2005: 设置超限报警时间", "2025"),
    "1002": ("设置数采仪入网编码 MN", "2025"),
    "1011": ("提取/上传现场机时间", "2017"),
    "1012": ("设置现场机时间", "2017"),
    "1013": ("现场机时间校准请求", "2017"),
    "1014": ("获取/下发新密钥", "2025"),
    "1021": ("提取污染物报警门限值", "2005"),
    "1022": ("设置污染物报警门限值", "2005"),
    "1031": ("提取上位机地址", "2005"),
    "1032": ("设置上位机地址", "2005"),
    "1041": ("提取数据上报时间", "2005"),
    "1042": ("设置数据上报时间", "2005"),
    "1061": ("提取实时数据间隔", "2017"),
    "1062": ("设置实时数据间隔", "2017"),
    "1063": ("提取分钟数据间隔", "2017"),
    "1064": ("设置分钟数据间隔", "2017"),
    "1072": ("设置现场机访问密码", "2017"),
    "2011": ("实时数据", "2017"),
    "2012": ("停止察看实时数据", "2017"),
    "2013": ("周期性仪器原始监测数据", "2025"),
    "2021": ("设备运行状态", "2017"),
    "2022": ("停止察看设备运行状态", "2017"),
    "2031": ("日历史数据", "2017"),
    "2041": ("设备运行时间日历史数据", "2017"),
    "2051": ("分钟数据", "2017"),
    "2052": ("噪声单次测量数据", "2025"),
    "2061": ("小时数据", "2017"),
    "2062": ("自动标样核查/校准数据", "2025"),
    "2071": ("报警记录", "2005"),
    "2072": ("报警事件", "2005"),
    "2081": ("数采仪开机时间", "2017"),
    "2111": ("炉膛温度5分钟均值", "2025"),
    "3011": ("零点校准量程校准", "2017"),
    "3012": ("即时采样", "2017"),
    "3013": ("启动清洗/反吹", "2017"),
    "3014": ("比对采样", "2017"),
    "3015": ("超标留样", "2017"),
    "3016": ("设置采样时间周期", "2017"),
    "3017": ("提取采样时间周期", "2017"),
    "3018": ("提取出样时间", "2017"),
    "3019": ("提取设备唯一标识", "2017"),
    "3020": ("提取/上传现场机信息", "2017"),
    "3021": ("设置现场机参数", "2017"),
    "3022": ("即时留样任务", "2025"),
    "3024": ("启动自动标样核查", "2025"),
    "9011": ("请求应答", "2017"),
    "9012": ("执行结果", "2017"),
    "9013": ("通知应答", "2017"),
    "9014": ("数据应答", "2017"),
    "9015": ("心跳", "2025"),
}

# Data uploads and the interval of the values they carry (表 9; Series.interval).
DATA_COMMANDS: dict[str, str] = {"2011": "realtime", "2051": "minute", "2061": "hour", "2031": "day"}
# Uploads without measurement values that are still data packets (9014 when the reply bit is set).
OTHER_UPLOADS: frozenset[str] = frozenset(
    {"2013", "2021", "2041", "2052", "2062", "2081", "2111", "3015", "3019", "3020", "1011", "1014", "1001"}
)
CN_DATA_ACK = "9014"
CN_REQUEST_REPLY = "9011"
CN_EXECUTION_RESULT = "9012"
CN_NOTICE_REPLY = "9013"
CN_HEARTBEAT = "9015"  # 2025; answered with 9013
CN_TIME_CALIBRATION_REQUEST = "1013"  # site asks; centre answers 9013 then sends 1012
CN_SET_TIME = "1012"
CN_KEY_EXCHANGE = "1014"

# 表 7 请求命令返回 QnRtn
QN_RTN: dict[int, str] = {
    1: "准备执行请求",
    2: "请求被拒绝",
    3: "PW 错误",
    4: "MN 错误",
    5: "ST 错误",
    6: "Flag 错误",
    7: "QN 错误",
    8: "CN 错误",
    9: "CRC 校验错误",
    100: "未知错误",
}
# 表 6 执行结果 ExeRtn
EXE_RTN: dict[int, str] = {
    1: "执行成功",
    2: "执行失败，但不知道原因",
    3: "命令请求条件错误",
    4: "通讯超时",
    5: "系统繁忙不能执行",
    6: "系统故障",
    100: "没有数据",
}

# 表 1: default reply timeout and retries (GPRS/CDMA/LTE … 10 s × 3; ADSL 5 s × 3).
DEFAULT_TIMEOUT = timedelta(seconds=10)
DEFAULT_RETRIES = 3

# 表 4: allowed MinInterval values (minutes) and RtdInterval bounds (s).
MIN_INTERVALS: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30)
RTD_INTERVAL_RANGE: tuple[int, int] = (30, 3600)

# 表 2: data segment 0..1024 characters; CP 0..950. Real devices exceed it (1025, 1623 seen) → accepted and noted.
MAX_SEGMENT_STANDARD = 1024
MAX_SEGMENT_ACCEPTED = 9999  # the 4-digit length field's own limit

# CP fields holding numbers (表 4) — a non-number there is a bad packet.
NUMERIC_FIELDS: frozenset[str] = frozenset(
    {"Rtd", "Avg", "Min", "Max", "Cou", "ZsRtd", "ZsAvg", "ZsMin", "ZsMax", "Data", "DayData", "NightData",
     "RT", "RS", "SampleRd", "StandardValue"}
)
# Statistics stored as measurements (Series.statistic = field name lower-cased).
VALUE_FIELDS: frozenset[str] = frozenset(
    {"Rtd", "Avg", "Min", "Max", "Cou", "ZsRtd", "ZsAvg", "ZsMin", "ZsMax", "Data", "DayData", "NightData"}
)
