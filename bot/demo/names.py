"""Name and geography material for the demo team: real cities, districts, streets, hospitals and chains."""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

# City, district, then its streets (街道/镇); a district may continue on a second line.
_STREETS = """
上海 黄浦区 南京东路 外滩 半淞园路 小东门 豫园 老西门 五里桥 打浦桥 淮海中路 瑞金二路
上海 徐汇区 天平路 湖南路 斜土路 枫林路 长桥 田林 虹梅路 康健 凌云 龙华 漕河泾 华泾
上海 静安区 江宁路 石门二路 南京西路 静安寺 曹家渡 天目西路 北站 芷江西路 大宁路 临汾路
上海 浦东新区 陆家嘴 潍坊新村 洋泾 塘桥 花木 金杨新村 张江 川沙 北蔡 三林 周浦 惠南
上海 长宁区 华阳路 江苏路 新华路 周家桥 天山路 仙霞新村 虹桥 程家桥 北新泾 新泾
上海 普陀区 曹杨新村 长风新村 长寿路 甘泉路 石泉路 宜川路 真如 万里 长征 桃浦
上海 虹口区 欧阳路 曲阳路 广中路 嘉兴路 凉城新村 四川北路 北外滩 江湾
上海 杨浦区 定海路 平凉路 江浦路 四平路 控江路 长白新村 延吉新村 殷行 大桥 五角场
上海 闵行区 江川路 古美 新虹 浦锦 莘庄 七宝 颛桥 华漕 梅陇 吴泾 马桥 浦江
上海 宝山区 友谊路 吴淞 张庙 罗店 大场 杨行 月浦 顾村 高境 庙行 淞南
杭州 上城区 湖滨 清波 小营 望江 南星 紫阳 凯旋 采荷 闸弄口 四季青 笕桥 九堡
杭州 拱墅区 米市巷 湖墅 小河 和睦 拱宸桥 大关 上塘 祥符 半山 武林 天水 朝晖
杭州 西湖区 北山 西溪 灵隐 翠苑 文新 古荡 转塘 蒋村 留下 三墩
杭州 滨江区 西兴 长河 浦沿
杭州 萧山区 城厢 北干 蜀山 新塘 宁围 新街 闻堰 瓜沥
南京 玄武区 梅园新村 新街口 玄武门 锁金村 红山 孝陵卫 玄武湖
南京 秦淮区 夫子庙 秦虹 中华门 双塘 洪武路 五老村 大光路 瑞金路 月牙湖 光华路 朝天宫
南京 鼓楼区 宁海路 华侨路 湖南路 中央门 挹江门 江东 凤凰 热河南路 漠范路 宝塔桥 建宁路
南京 建邺区 南苑 兴隆 莫愁湖 沙洲 双闸 江心洲 南湖
南京 栖霞区 尧化 马群 迈皋桥 燕子矶 仙林 栖霞 龙潭 八卦洲
苏州 姑苏区 平江 沧浪 金阊 双塔 虎丘 白洋湾 吴门桥 葑门 娄门 留园
苏州 工业园区 娄葑 斜塘 唯亭 胜浦 湖西 湖东 东沙湖 金鸡湖
苏州 吴中区 长桥 苏苑 龙西 越溪 郭巷 横泾 甪直 木渎 胥口 东山
苏州 相城区 元和 太平 黄桥 北桥 渭塘 望亭 黄埭 阳澄湖
宁波 海曙区 南门 江厦 西门 月湖 鼓楼 白云 段塘 望春 石碶 集士港
宁波 鄞州区 钟公庙 下应 首南 中河 潘火 百丈 东胜 明楼 白鹤 福明 东柳 姜山
宁波 江北区 中马 白沙 孔浦 文教 甬江 庄桥 洪塘 慈城
"""

# The short names reps use, city, district, beds. 仁济医院 is the spec's example: it appears exactly once.
_LANDMARKS = """
仁济医院 上海 黄浦区 2400
瑞金医院 上海 黄浦区 2800
华山医院 上海 静安区 2200
中山医院 上海 徐汇区 2900
上海市第六人民医院 上海 徐汇区 2000
上海市第一人民医院 上海 虹口区 1900
上海市第十人民医院 上海 静安区 1800
上海市第九人民医院 上海 黄浦区 1600
长海医院 上海 杨浦区 2700
新华医院 上海 杨浦区 2000
同济医院 上海 普陀区 1500
东方医院 上海 浦东新区 1900
龙华医院 上海 徐汇区 1200
曙光医院 上海 黄浦区 1400
岳阳医院 上海 虹口区 1000
上海市胸科医院 上海 徐汇区 800
复旦大学附属肿瘤医院 上海 徐汇区 1400
同仁医院 上海 长宁区 1000
上海市第五人民医院 上海 闵行区 900
华山医院宝山院区 上海 宝山区 600
浙江大学医学院附属第一医院 杭州 上城区 3000
浙江大学医学院附属第二医院 杭州 上城区 2800
邵逸夫医院 杭州 上城区 2400
浙江省人民医院 杭州 拱墅区 2000
杭州市第一人民医院 杭州 上城区 1500
浙江省中医院 杭州 上城区 1200
浙江医院 杭州 西湖区 1200
浙江省肿瘤医院 杭州 拱墅区 1500
萧山区第一人民医院 杭州 萧山区 1500
江苏省人民医院 南京 鼓楼区 3000
南京鼓楼医院 南京 鼓楼区 3000
东部战区总医院 南京 玄武区 2500
江苏省中医院 南京 秦淮区 2000
南京市第一医院 南京 秦淮区 1800
中大医院 南京 鼓楼区 2200
江苏省肿瘤医院 南京 玄武区 1200
南京市中医院 南京 秦淮区 1000
苏州大学附属第一医院 苏州 姑苏区 3000
苏州大学附属第二医院 苏州 姑苏区 2000
苏州市立医院 苏州 姑苏区 2500
苏州市中医医院 苏州 姑苏区 1200
苏州九龙医院 苏州 工业园区 1000
苏州大学附属儿童医院 苏州 工业园区 1200
宁波大学附属第一医院 宁波 海曙区 1600
宁波市第二医院 宁波 海曙区 1800
李惠利医院 宁波 鄞州区 2000
宁波市中医院 宁波 海曙区 800
"""

# District-level hospitals follow these real naming patterns.
DISTRICT_HOSPITAL_PATTERNS = (
    "{city}市{district}人民医院",
    "{city}市{district}中心医院",
    "{city}市{district}中医医院",
    "{city}市{district}妇幼保健院",
)
COMMUNITY_CENTRE_PATTERN = "{district}{street}社区卫生服务中心"

NATIONAL_PHARMACY_CHAINS = ("老百姓大药房", "益丰大药房", "国大药房", "海王星辰", "一心堂", "大参林", "同仁堂")
REGIONAL_PHARMACY_CHAINS: dict[str, tuple[str, ...]] = {
    "上海": ("华氏大药房", "第一医药", "雷允上"),
    "杭州": ("九洲大药房", "张同泰", "胡庆余堂"),
    "南京": ("先声再康", "南京医药"),
    "苏州": ("雷允上", "礼安医药"),
    "宁波": ("宁波医药", "天一堂"),
}
PHARMACY_PATTERN = "{chain}({street}店)"

CLINIC_BRANDS = ("瑞慈诊所", "卓正医疗", "和睦家诊所", "美中宜和", "微医全科", "平安好医生诊所")
CLINIC_PATTERNS = (
    "{street}门诊部",
    "{doctor}中医诊所",
    "{doctor}诊所",
    "{brand}({street})",
    "{street}社区门诊部",
)

SURNAMES = tuple("王李张刘陈杨黄赵吴周徐孙朱胡沈顾钱蒋")
_GIVEN_NAMES = (
    "伟 敏 静 磊 洁 勇 艳 杰 娟 涛 明 超 霞 平 刚 婷 建国 建华 晓东 海燕 "
    "志强 丽华 文博 思远 佳怡 子涵 雨桐 浩然 欣怡 俊杰 秀英 玉兰"
)
GIVEN_NAMES = tuple(_GIVEN_NAMES.split())


class Landmark(NamedTuple):
    """A well-known hospital: the short name reps use, where it is, and its bed count."""

    name: str
    city: str
    district: str
    beds: int


@cache
def streets() -> dict[str, dict[str, tuple[str, ...]]]:
    """Return city -> district -> streets, in the table's order."""
    table: dict[str, dict[str, tuple[str, ...]]] = {}
    for line in _STREETS.strip().splitlines():
        city, district, *names = line.split()
        districts = table.setdefault(city, {})
        districts[district] = (*districts.get(district, ()), *names)
    return table


@cache
def landmark_hospitals() -> tuple[Landmark, ...]:
    """Return the well-known hospitals, in the table's order."""
    rows = (line.split() for line in _LANDMARKS.strip().splitlines())
    return tuple(Landmark(name, city, district, int(beds)) for name, city, district, beds in rows)
