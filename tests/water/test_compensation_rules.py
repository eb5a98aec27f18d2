"""Eco-compensation rule sets: test vectors from the reference (§2.1 Jincheng bulletin, §2.2 Zhoukou)."""

from __future__ import annotations

import numpy as np
import pytest

from ecoloop.standards.water.compensation import (
    JINCHENG_2020,
    SHANXI_2013,
    ZHOUKOU,
    multiple_vs_target,
    rewards_for_section,
    scheme,
)


def test_jincheng_bulletin_multiples_and_amounts() -> None:
    # 郑庄 NH3-N 2.12 vs 1.0 → 超标1.12倍 → 100万; 寺底南桥 NH3-N 3.17 vs 2.0 → 超标0.585倍 → 50万.
    m = multiple_vs_target([2.12, 3.17], [1.0, 2.0])
    assert m.tolist() == pytest.approx([1.12, 0.585])
    _, amount = JINCHENG_2020.deduction(m)
    assert amount.tolist() == [1_000_000, 500_000]
    assert amount.sum() == 1_500_000


def test_zhoukou_base_times_one_plus_m() -> None:
    m = multiple_vs_target(80.0, 50.0)
    assert m[0] == pytest.approx(0.6)
    assert ZHOUKOU.deduction(m)[1][0] == pytest.approx(400_000)
    assert ZHOUKOU.deduction(np.array([0.1]))[1][0] == 0  # 0.1 < m is the first band


def test_no_deduction_within_target() -> None:
    assert np.isnan(multiple_vs_target(1.0, 1.0)[0])
    idx, amount = SHANXI_2013.deduction(multiple_vs_target([0.9, 1.0], 1.0))
    assert idx.tolist() == [-1, -1] and amount.tolist() == [0, 0]


def test_shanxi_bands_both_sides() -> None:
    m = np.array([0.01, 0.5, 0.5001, 1.0, 1.0001, 5.0, 5.0001, 10.0, 10.0001])
    idx, amount = SHANXI_2013.deduction(m)
    assert idx.tolist() == [0, 0, 1, 1, 2, 2, 3, 3, 4]
    assert amount[0] == 500_000 and amount[-1] == 3_000_000  # the two reported amounts [S]
    assert [b.evidence for b in SHANXI_2013.bands] == ["S", "M", "M", "M", "S"]


def test_default_scheme_is_shanxi() -> None:
    assert scheme() is SHANXI_2013
    with pytest.raises(KeyError):
        scheme("nowhere")


def test_rewards_constructed_year() -> None:
    # 12 compliant months in 2022; last year Jan was non-compliant, Feb was Ⅳ→ now Ⅲ (compliant both, target Ⅳ).
    compliant = [True] * 12
    classes = [3] * 12
    ly_ok = [False, True] + [True] * 10
    ly_cls = [5, 4] + [3] * 10
    ev = rewards_for_section(SHANXI_2013, compliant, classes, ly_ok, ly_cls, list(range(1, 13)))
    kinds = [(e.month_index, e.kind, e.amount) for e in ev]
    assert (0, "yoy_to_compliant", 1_000_000) in kinds
    assert (1, "yoy_class_up", 500_000) in kinds
    streaks = [k for k in kinds if k[1] == "target_streak"]
    assert [k[0] for k in streaks] == [2, 5, 8, 11]
    assert (11, "full_year", 1_000_000) in kinds
    paid = sum(e.amount for e in ev if e.amount)
    assert paid == 1_000_000 + 500_000 + 4 * 100_000 + 1_000_000


def test_rewards_streak_broken_and_gap_rule() -> None:
    compliant = [True, True, False, True, True, True]
    ev = rewards_for_section(SHANXI_2013, compliant, [2, 2, 4, 2, 2, 2], [None] * 6, [None] * 6, [1, 2, 3, 4, 5, 6])
    assert [(e.month_index, e.kind) for e in ev] == [(5, "target_streak")]
    # Class Ⅲ → Ⅱ year-on-year: the Ⅲ-or-better rule applies but its amount is a gap (reported, not paid).
    ev = rewards_for_section(SHANXI_2013, [True], [2], [True], [3], [6])
    assert [(e.kind, e.amount, e.evidence) for e in ev] == [("yoy_class_up", None, "M")]
