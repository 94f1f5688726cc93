"""Customer kinds as CRMs write them: the usual ones map to ours, any other text is kept, none is rejected."""

from __future__ import annotations

from bot.importing import import_file
from tests.test_import_database import customers, load_team, write


def test_any_kind_is_accepted_usual_ones_map_and_others_keep_their_text(engine, tmp_path):
    path = write(
        tmp_path / "c.csv",
        "客户编号,客户名称,客户类型\n"
        "K01,平凉医院,民营医院\n"
        "K02,Sunrise,Healthcare\n"
        "K03,一心堂,连锁药店\n"
        "K04,小药店,單體藥店\n"
        "K05,平凉社区,社区卫生服务中心\n"
        "K06,镇卫生院,乡镇卫生院\n"
        "K07,Dr Wu,Retail Pharmacy\n"
        "K08,爱宠,宠物医院\n"
        "K09,某公司,Distributor\n"
        "K10,空,\n"
        "K11,门诊,门诊部\n"
        "K12,其他客户,其他\n",
    )

    report = import_file(engine=engine, kind="customers", path=path)

    assert report.ok and report.inserted == 12
    assert {k: (v["kind"], v["kind_label"]) for k, v in customers(engine).items()} == {
        "K01": ("hospital", None),
        "K02": ("hospital", None),
        "K03": ("pharmacy", None),
        "K04": ("pharmacy", None),
        "K05": ("clinic", None),
        "K06": ("clinic", None),
        "K07": ("pharmacy", None),
        "K08": ("other", "宠物医院"),
        "K09": ("other", "Distributor"),
        "K10": ("other", None),
        "K11": ("clinic", None),
        "K12": ("other", None),
    }


def test_a_new_kind_replaces_the_label_and_a_file_without_kinds_leaves_them_alone(engine, tmp_path):
    load_team(engine)
    import_file(
        engine=engine,
        kind="customers",
        path=write(tmp_path / "a.csv", "客户编号,客户名称,客户类型\nH001,一院,宠物医院\n"),
    )
    assert (customers(engine)["H001"]["kind"], customers(engine)["H001"]["kind_label"]) == ("other", "宠物医院")

    import_file(engine=engine, kind="customers", path=write(tmp_path / "b.csv", "客户编号,客户名称\nH001,一院\n"))
    assert (customers(engine)["H001"]["kind"], customers(engine)["H001"]["kind_label"]) == ("other", "宠物医院")

    report = import_file(
        engine=engine, kind="customers", path=write(tmp_path / "c.csv", "客户编号,客户名称,客户类型\nH001,一院,医院\n")
    )
    assert report.updated == 1
    assert (customers(engine)["H001"]["kind"], customers(engine)["H001"]["kind_label"]) == ("hospital", None)


def test_a_kind_too_long_to_be_a_kind_is_a_bad_row(engine, tmp_path):
    text = "这是一段很长的备注" * 6
    path = write(tmp_path / "c.csv", f"客户编号,客户名称,客户类型\nK01,某医院,{text}\n")
    report = import_file(engine=engine, kind="customers", path=path)
    assert [str(e) for e in report.rejected] == [f"row 2, column 客户类型: '{text}' is longer than 50 characters"]
