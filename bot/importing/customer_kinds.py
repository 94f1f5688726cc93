"""Customer kinds as CRMs write them (客户类型, Account Type, Industry): any text is accepted.

The usual kinds map to ours (hospital, pharmacy, clinic, doctor, other), compared after NFKC,
traditional -> simplified, case folding and removing spaces and punctuation (``Retail Pharmacy``,
``單體藥店``, ``社区卫生服务中心`` all map). Any other text gives kind "other" and is kept as given in
``kind_label`` (宠物医院 stays 宠物医院), so nothing a file says is lost and nothing is rejected for it.

Primary care goes to clinic: 社区卫生服务中心/站, 社区医院, 卫生院 (乡镇/中心), 村卫生室. They are small,
many and visited like clinics; tiering them with the 等级医院 would bury them under hospitals that
buy a hundred times more. A team that wants them apart still has their text in ``kind_label``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import pandas as pd

from bot.importing.customer_names import to_simplified

KIND_LABEL_LIMIT = 50

_WRITTEN_KINDS = {
    "hospital": """hospital hospitals healthcare health_care 医院 综合医院 专科医院 民营医院 私立医院 公立医院 中医院
        中医医院 中西医结合医院 妇幼保健院 妇幼保健医院 妇幼 儿童医院 肿瘤医院 口腔医院 眼科医院 人民医院 县医院
        县级医院 教学医院 等级医院 三甲医院 三级医院 二级医院 一级医院 三甲 二甲 三级 二级 部队医院 军队医院
        医院终端 医院客户 公立 民营""",
    "pharmacy": """pharmacy pharmacies drugstore drug_store retail retail_pharmacy chemist otc 药店 药房 大药房 连锁药店
        单体药店 连锁药房 单体药房 零售药店 零售药房 社会药房 零售 零售终端 药店终端 otc终端 dtp dtp药房 院边店
        院边药房 药店连锁 连锁 单体 连锁总部""",
    "clinic": """clinic clinics chc community_health_center community_health_centre 诊所 门诊 门诊部 个体诊所 私人诊所
        中医诊所 口腔诊所 社区卫生服务中心 社区卫生服务站 社区医院 卫生院 乡镇卫生院 中心卫生院 村卫生室 卫生室
        卫生所 医务室 社区 基层 基层医疗 基层医疗机构""",
    "doctor": "doctor doctors physician 医生 医师 专家",
    "other": "other others 其他 其它",
}
_NOT_WORD = re.compile(r"[\W_]+")


def _kind_key(text: str) -> str:
    return _NOT_WORD.sub("", to_simplified(unicodedata.normalize("NFKC", text)).casefold())


@cache
def kind_choices() -> dict[str, str]:
    """{written kind, compared form: our kind}."""
    return {_kind_key(word): kind for kind, words in _WRITTEN_KINDS.items() for word in words.split()}


def customer_kinds(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(kind, kind_label) by cell: a usual kind maps with no label; other text is "other" with the text."""
    distinct = {text: kind_choices().get(_kind_key(text)) for text in pd.unique(cells)}
    kinds = cells.map(lambda text: distinct[text] or "other").astype(object)
    labels = cells.map(lambda text: None if distinct[text] or not text else text).astype(object)
    return kinds, labels
