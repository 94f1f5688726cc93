"""Customer-name search as a rep uses it from a phone: Chinese, pinyin, initials, typos, and access control."""

from __future__ import annotations

import random

import pytest

from bot.search import CustomerIndex, SearchHit, normalise, pinyin_syllables
from tests.team_fixture import REP_TG

# Ids deliberately out of step with list order, so a position/id mix-up cannot pass unnoticed.
ROSTER = [
    (101, "仁济医院"),
    (102, "瑞金医院"),
    (103, "华山医院"),
    (104, "上海市第六人民医院"),
    (105, "老百姓大药房(徐汇店)"),
    (106, "益丰大药房(鼓楼店)"),
    (107, "徐汇区枫林社区卫生服务中心"),
    (108, "浙江大学医学院附属第一医院"),
    (109, "St. Mary Clinic"),
    (110, "中山医院"),
    (111, "长征医院"),
    (112, "重庆医科大学附属第一医院"),
    (113, "曙光医院"),
    (114, "同仁医院"),
    (115, "Good Health Pharmacy"),
    (116, "上海交通大学医学院附属新华医院"),
    (117, "绿地诊所"),
]
NAME = dict(ROSTER)
ID = {name: customer_id for customer_id, name in ROSTER}


@pytest.fixture(scope="module")
def index() -> CustomerIndex:
    return CustomerIndex.build(reversed(ROSTER))


# (what the rep types, the customer expected first, how it matched)
QUERIES = [
    ("仁济医院", "仁济医院", "exact"),
    ("老百姓大药房（徐汇店）", "老百姓大药房(徐汇店)", "exact"),
    ("老百姓大药房 徐汇店", "老百姓大药房(徐汇店)", "exact"),
    ("仁济", "仁济医院", "prefix"),
    ("瑞金", "瑞金医院", "prefix"),
    ("st mary", "St. Mary Clinic", "prefix"),
    ("😀 仁济 😀", "仁济医院", "prefix"),
    ("第六人民", "上海市第六人民医院", "substring"),
    ("新华医院", "上海交通大学医学院附属新华医院", "substring"),
    ("renji", "仁济医院", "pinyin"),
    ("RenJi", "仁济医院", "pinyin"),
    ("ren ji", "仁济医院", "pinyin"),
    ("ren ji yi yuan", "仁济医院", "pinyin"),
    ("ＲＥＮＪＩ", "仁济医院", "pinyin"),
    ("laobaixing", "老百姓大药房(徐汇店)", "pinyin"),
    ("xuhui", "徐汇区枫林社区卫生服务中心", "pinyin"),
    ("gulou", "益丰大药房(鼓楼店)", "pinyin"),
    ("changzheng", "长征医院", "pinyin"),
    ("lüdi", "绿地诊所", "pinyin"),
    ("lvdi", "绿地诊所", "pinyin"),
    ("chongqing", "重庆医科大学附属第一医院", "pinyin"),
    ("仁记医院", "仁济医院", "pinyin"),  # homophone typo from the IME
    ("仁濟醫院", "仁济医院", "pinyin"),  # Traditional characters
    ("xinhua yiyuan", "上海交通大学医学院附属新华医院", "pinyin"),
    ("rjyy", "仁济医院", "initials"),  # 瑞金医院 is rjyy too; the lower id wins the tie
    ("lbx", "老百姓大药房(徐汇店)", "initials"),
    ("smc", "St. Mary Clinic", "initials"),
    ("dlrm", "上海市第六人民医院", "initials"),
    ("仁齐医院", "仁济医院", "fuzzy"),  # a wrong character, not a homophone
    ("第六人名医院", "上海市第六人民医院", "fuzzy"),
    ("六院", "上海市第六人民医院", "fuzzy"),  # abbreviation
    ("浙大一院", "浙江大学医学院附属第一医院", "fuzzy"),
    ("St. Mery Clinic", "St. Mary Clinic", "fuzzy"),
    ("good helth", "Good Health Pharmacy", "fuzzy"),
    ("ruijing", "瑞金医院", "fuzzy"),
    ("renjiyiyaun", "仁济医院", "fuzzy"),
]


@pytest.mark.parametrize(("query", "expected", "how"), QUERIES)
def test_top_hit_is_the_customer_the_rep_meant(index: CustomerIndex, query: str, expected: str, how: str) -> None:
    hits = index.search(query)
    assert hits, f"no hit for {query!r}"
    assert (hits[0].name, hits[0].customer_id, hits[0].how) == (expected, ID[expected], how)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "()（）·-、。!?",
        "😀🎉👍",
        "xyzzy",
        "hello world",
        "hello",
        "today",
        "admin",
        "<b>html</b>",
        "select * from customers;",
        "今天拜访谁",
        "随便什么东西",
        "仁济医院" + "x" * 196,  # 200 chars: cut to 100, and that is no customer
    ],
)
def test_garbage_finds_nobody(index: CustomerIndex, query: str) -> None:
    assert index.search(query) == []


def test_query_is_cut_at_100_characters(index: CustomerIndex) -> None:
    assert index.search("仁济医院" + " " * 196)[0].how == "exact"
    assert index.search(" " * 100 + "仁济医院") == []


def test_hits_carry_id_name_score_and_how(index: CustomerIndex) -> None:
    assert index.search("瑞金医院") == [SearchHit(customer_id=102, name="瑞金医院", score=100.0, how="exact")]


def test_tiers_rank_exact_prefix_substring_pinyin_initials() -> None:
    index = CustomerIndex.build(
        [
            (1, "任记诊所"),
            (2, "上海仁济医院"),
            (3, "The Renji Pharmacy"),
            (4, "Renji Clinic"),
            (5, "RENJI"),
            (6, "仁济医院"),
        ]
    )
    hits = index.search("renji", limit=10)
    assert [(h.customer_id, h.how) for h in hits] == [
        (5, "exact"),
        (4, "prefix"),
        (3, "substring"),
        (6, "pinyin"),  # renji is a larger share of renjiyiyuan than of renjizhensuo (任记诊所)
        (1, "pinyin"),
        (2, "pinyin"),
    ]
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert index.search("rj", limit=10)[0].how == "initials"


def test_initials_prefix_ranks_above_initials_inside_a_name() -> None:
    index = CustomerIndex.build([(1, "上海华山路诊所"), (2, "华山医院")])
    assert [(h.customer_id, h.how) for h in index.search("hs")] == [(2, "initials"), (1, "initials")]


def test_chinese_homophones_match_inside_a_name_only_from_three_characters() -> None:
    index = CustomerIndex.build([(1, "上海仁济医院"), (2, "华山医院")])
    assert [(h.customer_id, h.how) for h in index.search("仁记医院")] == [(1, "pinyin")]
    assert index.search("一院") == []  # yi yuan sits inside every 医院; two characters are not enough


def test_one_chinese_character_matches_only_itself_not_its_homophones() -> None:
    index = CustomerIndex.build([(1, "仁济医院"), (2, "人民医院")])
    assert [(h.customer_id, h.how) for h in index.search("仁")] == [(1, "prefix")]


def test_a_long_chinese_query_against_repetitive_names_stays_fast_and_empty() -> None:
    index = CustomerIndex.build([(i, "医" * 30) for i in range(1, 201)])
    assert index.search("医" * 40 + "院") == []  # no customer, and no regex backtracking to wait for


def test_a_wrong_chinese_character_inside_a_long_name_beats_a_name_sharing_the_rest() -> None:
    index = CustomerIndex.build([(1, "重庆同仁医院"), (2, "上海交通大学医学院附属仁济医院"), (3, "上海市第六人民医院")])
    assert [(h.customer_id, h.how) for h in index.search("仁齐医院")] == [(2, "fuzzy")]
    assert [(h.customer_id, h.how) for h in index.search("第六民医院")] == [(3, "fuzzy")]  # 人 left out


def test_literal_hits_keep_rapidfuzz_noise_out(index: CustomerIndex) -> None:
    hits = index.search("renji")
    assert [h.name for h in hits] == ["仁济医院"]


def test_search_respects_limit(index: CustomerIndex) -> None:
    assert len(index.search("医院", limit=3)) == 3
    assert len(index.search("医院", limit=50)) == 11
    assert index.search("医院", limit=0) == []


# --- access control: a rep searches only their own customers --------------------------------------


@pytest.mark.parametrize("query", [q for q, _, _ in QUERIES] + ["医院", "yiyuan", "yy", "rj"])
def test_results_never_leave_allowed_ids(index: CustomerIndex, query: str) -> None:
    rng = random.Random(query)
    for _ in range(5):
        allowed = set(rng.sample(sorted(NAME), 5))
        hits = index.search(query, allowed_ids=allowed, limit=20)
        assert {h.customer_id for h in hits} <= allowed
        assert all(NAME[h.customer_id] == h.name for h in hits)


def test_a_rep_without_the_customer_does_not_get_it(index: CustomerIndex) -> None:
    others = [customer_id for customer_id in NAME if customer_id != 101]
    for query in ["仁济医院", "renji", "rjyy", "仁记医院", "仁齐医院", "renjiyiyaun"]:
        assert 101 not in {h.customer_id for h in index.search(query, allowed_ids=others, limit=20)}, query
        assert index.search(query, allowed_ids=[101, 110])[0].customer_id == 101, query


def test_fuzzy_hits_under_allowed_ids_map_back_to_the_right_customer(index: CustomerIndex) -> None:
    hits = index.search("ruijing", allowed_ids={109, 102, 113})
    assert [(h.customer_id, h.name, h.how) for h in hits] == [(102, "瑞金医院", "fuzzy")]


def test_allowed_ids_edge_cases(index: CustomerIndex) -> None:
    assert index.search("仁济", allowed_ids=[]) == []
    assert index.search("仁济", allowed_ids=[999, -1]) == []
    assert [h.customer_id for h in index.search("仁济", allowed_ids=[101, 101, 999])] == [101]


# --- is_confident: open the card directly, or ask with buttons ------------------------------------


@pytest.mark.parametrize(
    ("query", "confident"),
    [
        ("仁济医院", True),  # exact
        ("瑞金", True),  # one strong hit
        ("renji", True),
        ("仁濟醫院", True),
        ("六院", True),  # one abbreviation hit
        ("rj", False),  # 仁济医院 and 瑞金医院
        ("rjyy", False),
        ("xuhui", False),  # 徐汇区… and 老百姓大药房(徐汇店), close together
        ("医院", False),
        ("仁齐医院", False),  # a lone weak fuzzy hit
        ("xyzzy", False),
    ],
)
def test_is_confident(index: CustomerIndex, query: str, confident: bool) -> None:
    assert index.is_confident(index.search(query)) is confident


def test_a_near_namesake_makes_a_partial_query_ambiguous_but_not_a_whole_name() -> None:
    index = CustomerIndex.build([(1, "仁济医院"), (2, "仁济医院东院")])
    assert index.is_confident(index.search("renji")) is False
    assert index.is_confident(index.search("仁济")) is False
    for whole in ["仁济医院", "仁濟醫院", "仁记医院", "ren ji yi yuan"]:
        hits = index.search(whole)
        assert hits[0].customer_id == 1
        assert index.is_confident(hits) is True, whole


def test_homophone_names_are_never_confident_from_pinyin() -> None:
    index = CustomerIndex.build([(1, "仁济医院"), (2, "人济医院")])
    hits = index.search("renjiyiyuan")
    assert [(h.customer_id, h.how) for h in hits] == [(1, "pinyin"), (2, "pinyin")]
    assert index.is_confident(hits) is False


def test_two_customers_with_the_same_name_are_never_confident() -> None:
    index = CustomerIndex.build([(7, "老百姓大药房(徐汇店)"), (3, "老百姓大药房(徐汇店)")])
    hits = index.search("老百姓大药房(徐汇店)")
    assert [(h.customer_id, h.how) for h in hits] == [(3, "exact"), (7, "exact")]
    assert index.is_confident(hits) is False


def test_no_hits_is_not_confident(index: CustomerIndex) -> None:
    assert index.is_confident([]) is False


# --- determinism ------------------------------------------------------------------------------------


def test_ties_break_by_shorter_name_then_lower_id() -> None:
    index = CustomerIndex.build([(9, "瑞金医院"), (4, "仁济医院"), (2, "人济医院"), (1, "任济医院分院")])
    hits = index.search("rjyy", limit=10)
    assert [h.customer_id for h in hits] == [2, 4, 9, 1]


def test_equal_scores_put_the_shorter_name_first() -> None:
    index = CustomerIndex.build([(1, "瑞金 医院"), (2, "仁济医院")])
    hits = index.search("rjyy")
    assert [(h.customer_id, h.score) for h in hits] == [(2, 69.0), (1, 69.0)]


def test_order_does_not_depend_on_input_order(index: CustomerIndex) -> None:
    shuffled = ROSTER[:]
    random.Random(5).shuffle(shuffled)
    other = CustomerIndex.build(shuffled)
    for query in ["医院", "yy", "rj", "yiyuan", "一院", "xuhui"]:
        assert index.search(query, limit=20) == other.search(query, limit=20) == index.search(query, limit=20)


def test_len_counts_customers_and_a_repeated_id_keeps_its_last_name() -> None:
    index = CustomerIndex.build([(1, "旧名诊所"), (2, "华山医院"), (1, "仁济医院")])
    assert len(index) == 2
    assert index.search("旧名诊所") == []
    assert index.search("仁济医院")[0].customer_id == 1


# --- the keys themselves ---------------------------------------------------------------------------


def test_normalise_folds_width_case_and_drops_punctuation() -> None:
    assert normalise("老百姓大药房（徐汇店）") == "老百姓大药房徐汇店"
    assert normalise("St. Mary-Clinic · ＡＢＣ１２") == "stmaryclinicabc12"
    assert normalise("😀 <b> ") == "b"


def test_pinyin_keeps_latin_words_and_reads_common_heteronyms() -> None:
    assert pinyin_syllables("St. Mary Clinic 2号") == ["st", "mary", "clinic", "2", "hao"]
    assert pinyin_syllables("重庆长征医院") == ["chong", "qing", "chang", "zheng", "yi", "yuan"]


# ----------------------------------------------- built lazily, per member (issue 15 §5)


@pytest.fixture
def readings(monkeypatch) -> list[str]:
    """Every name the index turns into pinyin (the costly part of indexing: 29 s at 300k customers)."""
    import bot.search as search

    names: list[str] = []
    read = search.pinyin_syllables

    def counted(text, converter=None):
        names.append(text)
        return read(text, converter)

    monkeypatch.setattr(search, "pinyin_syllables", counted)
    return names


def test_building_the_index_reads_no_name_until_a_search_needs_it(readings: list[str]) -> None:
    index = CustomerIndex.build(ROSTER)
    assert readings == [] and len(index) == len(ROSTER)
    hits = index.search("rj", allowed_ids=frozenset({101, 102, 114}))
    assert [hit.name for hit in hits] == ["仁济医院", "瑞金医院"]
    # Only the member's own customers were read, once each, however often they search.
    assert sorted(readings) == sorted([NAME[101], NAME[102], NAME[114]])
    index.search("tr", allowed_ids=frozenset({101, 102, 114}))
    assert len(readings) == 3


def test_a_lazily_built_index_answers_exactly_as_a_whole_one(readings: list[str]) -> None:
    whole = CustomerIndex.build(ROSTER)
    whole.search("x")  # every name read
    assert len(readings) == len(ROSTER)
    lazy = CustomerIndex.build(ROSTER)
    for query in ("仁济", "rj", "renji", "徐汇", "lbx", "医院", "浙大一院", "St Mary", "仁记医院", "zhongshan"):
        for allowed in (None, frozenset({101, 104, 108, 109}), frozenset(NAME)):
            assert lazy.search(query, allowed_ids=allowed, limit=6) == whole.search(query, allowed_ids=allowed, limit=6)


async def test_the_bot_starts_without_reading_every_name_and_a_rep_reads_only_their_own(bot, readings) -> None:
    # What warm-up does before polling starts (bot.app.warm_up): the index holds the names only.
    index = await bot.application.bot_data.customer_index()
    assert len(index) == 6 and readings == []
    reply = await bot.send(REP_TG, "瑞金")
    assert "瑞金医院" in reply.text
    rep_book = {"仁济医院", "瑞金医院", "华山医院", "老百姓大药房(徐汇店)"}
    assert set(readings) - {"瑞金"} <= rep_book


def test_the_index_says_whether_a_members_keys_are_made() -> None:
    index = CustomerIndex.build(ROSTER)
    book = frozenset({101, 102})
    assert not index.has_keys_for(book) and not index.has_keys_for(None)
    index.search("rj", allowed_ids=book)
    assert index.has_keys_for(book) and not index.has_keys_for(frozenset({101, 103}))
    index.search("rj")
    assert index.has_keys_for(None) and index.has_keys_for(frozenset({103, 999}))
