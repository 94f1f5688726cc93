"""The digest chart reads cleanly: no text box overprints another, in Chinese and in English (issue 13 §5)."""

from __future__ import annotations

import dataclasses
import itertools
import os

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

from bot.views import chart
from tests.test_digest import hand_made_digest


def text_boxes(figure) -> list[tuple[str, object]]:
    """Every visible, non-empty text of the drawn figure with its box in pixels."""
    renderer = FigureCanvasAgg(figure).get_renderer()
    figure.draw(renderer)
    boxes = []
    for artist in figure.findobj(Text):
        if artist.get_visible() and artist.get_text().strip() and artist.figure is not None:
            boxes.append((artist.get_text(), artist.get_window_extent(renderer)))
    return boxes


def overlapping(boxes) -> list[tuple[str, str]]:
    """Pairs of texts whose boxes share more than a pixel either way."""
    pairs = []
    for (text_a, a), (text_b, b) in itertools.combinations(boxes, 2):
        width = min(a.x1, b.x1) - max(a.x0, b.x0)
        height = min(a.y1, b.y1) - max(a.y0, b.y0)
        if width > 1 and height > 1:
            pairs.append((text_a, text_b))
    return pairs


def need_cjk_font(lang: str) -> None:
    if lang != "en" and chart.cjk_font_path() is None:
        if os.environ.get("CI"):
            pytest.fail("no CJK font on CI: .ci/run must install fonts-wqy-microhei")
        pytest.skip("no CJK font here: apt-get install fonts-wqy-microhei to test Chinese charts")


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant", "en"])
@pytest.mark.parametrize("reps", [1, 6, 15, 40])
def test_no_text_overprints_another_and_all_of_it_is_on_the_page(lang, reps):
    need_cjk_font(lang)
    figure = chart.draw_chart(hand_made_digest(reps=reps), lang)
    try:
        boxes = text_boxes(figure)
        page = figure.bbox
        assert len(boxes) >= 10
        assert overlapping(boxes) == []
        outside = [text for text, box in boxes if box.x0 < 0 or box.y0 < 0 or box.x1 > page.x1 or box.y1 > page.y1]
        assert outside == []
    finally:
        figure.clear()


@pytest.mark.parametrize("lang", ["zh-Hans", "en"])
def test_both_panel_titles_are_drawn_side_by_side_with_a_gap(lang):
    need_cjk_font(lang)
    figure = chart.draw_chart(hand_made_digest(reps=8), lang)
    try:
        renderer = FigureCanvasAgg(figure).get_renderer()
        figure.draw(renderer)
        a, b = (axis.title for axis in figure.axes[:2])
        assert a.get_text().startswith(("A", "Tier A")) and b.get_text().startswith(("B", "Tier B"))
        assert a.get_window_extent(renderer).x1 < b.get_window_extent(renderer).x0
    finally:
        figure.clear()


@pytest.mark.parametrize(
    ("lang", "first", "later"),
    [
        ("zh-Hans", "有风险的重点客户 1", "新增风险客户 1"),
        ("en", "1 key accounts at risk", "1 key accounts newly at risk"),
    ],
)
def test_the_first_chart_calls_no_account_newly_at_risk(lang, first, later):
    need_cjk_font(lang)
    texts = {}
    for name, compared_with in (("first", None), ("later", hand_made_digest().compared_with)):
        figure = chart.draw_chart(dataclasses.replace(hand_made_digest(reps=3), compared_with=compared_with), lang)
        texts[name] = [text for text, _ in text_boxes(figure)]
        figure.clear()
    assert any(text.endswith(first) for text in texts["first"]) and not any(later in text for text in texts["first"])
    assert any(text.endswith(later) for text in texts["later"])


@pytest.mark.parametrize(
    ("lang", "titles", "target"),
    [
        ("zh-Hans", ["A 类 11月16日–11月22日", "B 类 11月9日–11月22日"], "达标线 90%"),
        ("en", ["Tier A · 16 Nov–22 Nov", "Tier B · 9 Nov–22 Nov"], "target 90%"),
    ],
)
def test_each_panel_shows_its_rolling_window_and_the_under_reached_line_not_a_cycle_gone(lang, titles, target):
    """Seen: a finished week's chart said `周期已过 86%`. Wanted: /team's rolling windows with their dates, bars
    against the line below which a tier is under-reached (coverage.under_reached_below), never a share gone."""
    need_cjk_font(lang)
    figure = chart.draw_chart(hand_made_digest(reps=6), lang)
    try:
        texts = [text for text, _ in text_boxes(figure)]
        assert [axis.get_title() for axis in figure.axes[:2]] == titles
        assert texts.count(target) == 2
        assert not any("周期" in text or "cycle" in text for text in texts)
        [a_line] = [line for line in figure.axes[0].get_lines() if line.get_linestyle() == "--"]
        assert list(a_line.get_xdata()) == [0.9, 0.9]
    finally:
        figure.clear()
