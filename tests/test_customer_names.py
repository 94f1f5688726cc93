"""Customer names as files write them: one key per customer, no two customers on one key, aliases first."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import insert, select

from bot.db import make_engine, upgrade_database
from bot.importing.customer_names import AMBIGUOUS, UNKNOWN, CustomerNames, alias_key, normalise_customer_name
from bot.models import Customer, CustomerAlias

CUSTOMERS = [
    ("H001", "仁济医院"),
    ("H002", "仁济医院(东院)"),
    ("H010", "上海市第一人民医院"),
    ("H011", "上海市第十人民医院"),
    ("H020", "复旦大学附属中山医院"),
    ("H030", "苏州大学附属第一医院"),
    ("H031", "中山大学附属第一医院"),
    ("H040", "首都医科大学附属北京天坛医院"),
    ("H050", "北京大学第一医院"),
    ("P001", "一心堂药业集团股份有限公司(平凉路店)"),
    ("P002", "一心堂药业集团股份有限公司(天目西路店)"),
    ("P010", "老百姓大药房连锁有限公司南京路店"),
    ("P020", "国药控股上海有限公司"),
    ("P021", "国药控股上海分公司"),
    ("P030", "大参林(平凉路店)"),
    ("P031", "南京医药(平凉路店)"),
    ("D001", "益丰大药房"),
    ("D002", "益丰大药房"),  # two customers with one name: ambiguous until an alias decides
    ("E001", "Sunrise Pharmacy Co., Ltd."),
]


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("一心堂（平凉路店）", "一心堂(平凉路店)"),  # full-width brackets
        ("一心堂【平凉路店】", "一心堂平凉路店"),  # any bracket, content kept
        ("一心堂 [平凉路店]", "一心堂平凉路店"),
        ("ＡＢＣ大药房１号店", "abc大药房1号店"),  # full-width letters and digits
        ("老百姓大药房 ・ 南京路店", "老百姓大药房南京路店"),  # spaces and punctuation
        ("老百姓大药房有限公司", "老百姓大药房"),
        ("老百姓大药房有限责任公司", "老百姓大药房"),
        ("老百姓大药房连锁股份有限公司", "老百姓大药房"),
        ("老百姓大药房（连锁）有限公司", "老百姓大药房"),
        ("华润医药集团有限公司", "华润医药"),
        ("上海雷允上药业公司", "上海雷允上药业"),
        ("一心堂藥業集團股份有限公司(平涼路店)", "一心堂药业集团股份有限公司(平凉路店)"),  # traditional
        ("Sunrise Pharmacy Co., Ltd.", "SUNRISE PHARMACY"),
        ("Sunrise Pharmacy Inc.", "sunrise pharmacy"),
        ("Sunrise Pharmacy LLC", "Sunrise Pharmacy Limited"),
        ("复旦大学附属中山医院", "中山医院"),  # a university prefix
        ("上海交通大学医学院附属瑞金医院", "瑞金医院"),
        ("首都医科大学附属北京天坛医院", "北京天坛医院"),
    ],
)
def test_written_variants_share_the_stored_key(written, stored):
    assert normalise_customer_name(written) == normalise_customer_name(stored)
    assert normalise_customer_name(written) != ""


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("上海市第一人民医院", "上海市第十人民医院"),
        ("一心堂(平凉路店)", "一心堂(天目西路店)"),
        ("国药控股上海有限公司", "国药控股上海分公司"),  # a branch is not the head office
        ("北京大学第一医院", "第一医院"),  # 北京大学第一医院 is the name, not a prefix
        ("仁济医院", "仁济医院(东院)"),
        ("宁波市第二医院", "宁波市第三医院"),
        ("川北医学院附属医院", "医院"),  # the prefix is the whole name there
    ],
)
def test_different_customers_keep_different_keys(one, other):
    assert normalise_customer_name(one) != normalise_customer_name(other)


def test_an_alias_key_keeps_the_university():
    assert alias_key("中山大学附属第一医院") != alias_key("苏州大学附属第一医院")
    assert alias_key("中山大学附属第一医院") == alias_key("中山大学附属第一医院（本部）").removesuffix("本部")


def test_a_name_of_only_company_words_has_no_key():
    assert normalise_customer_name("有限公司") == ""
    assert normalise_customer_name(" （） ") == ""


@pytest.fixture
def names_engine(database_url):
    engine = make_engine(database_url)
    upgrade_database(engine)
    with engine.begin() as connection:
        connection.execute(insert(Customer.__table__), [{"external_id": e, "name": n} for e, n in CUSTOMERS])
    yield engine
    engine.dispose()


def load(engine) -> CustomerNames:
    with engine.connect() as connection:
        return CustomerNames.load(connection)


def ids_by_external(engine) -> dict[str, int]:
    with engine.connect() as connection:
        return dict(connection.execute(select(Customer.external_id, Customer.id)).all())


def matched(names: CustomerNames, engine, written: list[str]) -> list[str | int]:
    """The external id each name matched, or UNKNOWN/AMBIGUOUS."""
    back = {v: k for k, v in ids_by_external(engine).items()}
    found = names.match(pd.Series(written, dtype=object))
    assert found.dtype == np.int64
    return [back.get(int(i), int(i)) for i in found]


def test_match_finds_customers_by_their_written_variants(names_engine):
    names = load(names_engine)
    assert matched(
        names,
        names_engine,
        [
            "仁济医院",
            "仁济医院（东院）",
            "上海市第十人民医院",
            "中山医院",  # stored with its university prefix
            "复旦大学附属中山医院",
            "一心堂药业集团股份有限公司（平凉路店）",
            "一心堂藥業集團(天目西路店)",
            "老百姓大药房连锁有限公司 南京路店",
            "北京天坛医院",
            "北京大学第一医院",
            "SUNRISE PHARMACY CO LTD",
            "国药控股上海分公司",
            "大参林医药连锁股份有限公司（平凉路店）",  # 医药 before a company form is not the name here
            "南京医药连锁有限公司（平凉路店）",  # but is the name here
            "",
            "仁济医院西院",
        ],
    ) == [
        "H001",
        "H002",
        "H011",
        "H020",
        "H020",
        "P001",
        "P002",
        "P010",
        "H040",
        "H050",
        "E001",
        "P021",
        "P030",
        "P031",
        UNKNOWN,
        UNKNOWN,
    ]


def test_a_university_prefix_never_matches_another_universitys_hospital(names_engine):
    names = load(names_engine)
    assert matched(names, names_engine, ["苏州大学附属第一医院", "中山大学附属第一医院", "南京大学附属第一医院"]) == [
        "H030",
        "H031",
        UNKNOWN,
    ]
    # Without its university, 第一医院 could be either.
    assert matched(names, names_engine, ["第一医院"]) == [AMBIGUOUS]
    assert sorted(names.candidates("第一医院")) == [("H030", "苏州大学附属第一医院"), ("H031", "中山大学附属第一医院")]


def test_two_customers_with_one_name_are_ambiguous_with_both_as_candidates(names_engine):
    names = load(names_engine)
    assert matched(names, names_engine, ["益丰大药房", "益丰大药房有限公司"]) == [AMBIGUOUS, AMBIGUOUS]
    assert sorted(names.candidates("益丰大药房")) == [("D001", "益丰大药房"), ("D002", "益丰大药房")]


def test_a_remembered_alias_wins_over_name_matching(names_engine):
    ids = ids_by_external(names_engine)
    with names_engine.begin() as connection:
        connection.execute(
            insert(CustomerAlias.__table__),
            [
                {"alias": "益丰大药房", "alias_key": alias_key("益丰大药房"), "customer_id": ids["D002"]},
                # The alias wins even over a customer whose own name matches.
                {"alias": "仁济医院东院", "alias_key": alias_key("仁济医院东院"), "customer_id": ids["H001"]},
                {"alias": "瑞金", "alias_key": alias_key("瑞金"), "customer_id": ids["H010"]},
            ],
        )
    names = load(names_engine)
    assert matched(names, names_engine, ["益丰大药房（有限公司）", "仁济医院(东院)", "瑞金"]) == [
        "D002",
        "H001",
        "H010",
    ]


def test_candidates_for_typos_traditional_and_pinyin(names_engine):
    names = load(names_engine)
    assert names.candidates("仁济医院东院区")[:2] == [("H002", "仁济医院(东院)"), ("H001", "仁济医院")]
    assert names.candidates("仁际医院")[0] == ("H001", "仁济医院")  # a homophone typo
    assert set(names.candidates("上海市第十一人民医院", limit=2)) == {
        ("H011", "上海市第十人民医院"),
        ("H010", "上海市第一人民医院"),
    }
    assert names.candidates("renji yiyuan")[0] == ("H001", "仁济医院")
    assert names.candidates("一心堂藥業(平涼路店)")[0] == ("P001", "一心堂药业集团股份有限公司(平凉路店)")
    assert names.candidates("") == []


def test_no_customers_nothing_matches(engine):
    names = load(engine)
    assert names.match(pd.Series(["仁济医院"], dtype=object)).tolist() == [UNKNOWN]
    assert names.candidates("仁济医院") == []


def test_match_and_candidates_give_the_same_answers_from_several_threads(sqlite_url):
    from concurrent.futures import ThreadPoolExecutor

    engine = make_engine(sqlite_url)
    upgrade_database(engine)
    with engine.begin() as connection:
        connection.execute(insert(Customer.__table__), [{"external_id": e, "name": n} for e, n in CUSTOMERS])
    names = load(engine)
    written = pd.Series([n for _, n in CUSTOMERS] + ["仁际医院", "第一医院", "renji"] * 50, dtype=object)
    expected = (names.match(written).tolist(), [names.candidates(n) for n in written[-3:]])
    fresh = load(engine)  # its closest-name index is built by whichever thread comes first

    def both(_: int):
        return fresh.match(written).tolist(), [fresh.candidates(n) for n in written[-3:]]

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(both, range(8))) == [expected] * 8
    engine.dispose()
