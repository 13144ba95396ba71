"""The demo's places: organisations in Hubei, Guizhou, Anhui and Shandong, and where volunteers live.

Region codes: counties and cities are GB/T 2260 codes. Township (9-digit) and village (12-digit) codes
follow the GB/T 10114 pattern (街道 0xx, 镇 1xx, 乡 2xx; 社区 0xx, 村 2xx) and are plausible rather than
looked up. 义龙新区 has no county code of its own; the demo files it as 522391, inside 黔西南州 (5223).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoOrganisation:
    key: str
    name: str
    kind: str
    region_code: str
    lat: float
    lng: float
    parent: str | None
    coordinator: str
    address: str


# fmt: off
ORGANISATIONS: tuple[DemoOrganisation, ...] = (
    # Hubei: 荆州市
    DemoOrganisation("jingzhou", "荆州市社会工作指导中心", "CITY_CENTER", "421000", 30.3269, 112.2397, None,
                     "周敏", "荆州市荆州区荆中路民政服务大楼"),
    DemoOrganisation("shashi", "沙市区社会工作服务总站", "COUNTY_STATION", "421002", 30.3150, 112.2530, "jingzhou",
                     "黄立新", "沙市区北京中路区民政局一楼"),
    DemoOrganisation("zhongshan", "沙市区中山街道社工站", "TOWNSHIP_STATION", "421002001", 30.3050, 112.2660,
                     "shashi", "熊丽", "中山街道办事处二楼"),
    DemoOrganisation("zhongshanlu", "中山街道中山路社区社工室", "VILLAGE_ROOM", "421002001003", 30.3090, 112.2590,
                     "zhongshan", "刘畅", "中山路社区党群服务中心"),
    DemoOrganisation("renai", "荆州市沙市区仁爱社会工作服务中心", "AGENCY", "421002", 30.3120, 112.2480, "shashi",
                     "邓婷", "沙市区江津东路 88 号"),
    DemoOrganisation("jiaotong", "沙市区交通劝导志愿服务队", "VOLUNTEER_TEAM", "421002", 30.3180, 112.2560,
                     "shashi", "胡卫东", "沙市区北京中路与红门路口岗亭"),
    DemoOrganisation("aixinmama", "荆州市“爱心妈妈”志愿服务队", "VOLUNTEER_TEAM", "421000", 30.3320, 112.2250,
                     "jingzhou", "陈秀兰", "荆州市妇联儿童之家"),
    DemoOrganisation("jiangling", "江陵县社会工作服务总站", "COUNTY_STATION", "421024", 30.0410, 112.4240,
                     "jingzhou", "杨志刚", "江陵县郝穴镇民政局"),
    DemoOrganisation("majiazhai", "江陵县马家寨乡社工站", "TOWNSHIP_STATION", "421024206", 30.1540, 112.3210,
                     "jiangling", "彭红梅", "马家寨乡人民政府院内"),
    DemoOrganisation("tongxin", "马家寨乡同心村社工室", "VILLAGE_ROOM", "421024206201", 30.1480, 112.3130,
                     "majiazhai", "万春燕", "同心村村委会"),
    DemoOrganisation("lantian", "江陵县蓝天救援队", "VOLUNTEER_TEAM", "421024", 30.0450, 112.4150, "jiangling",
                     "龚建军", "郝穴镇荆江大堤救援物资库"),
    # Guizhou: 黔南州 and 黔西南州
    DemoOrganisation("qiannan", "黔南州社会工作指导中心", "CITY_CENTER", "522700", 26.2594, 107.5186, None,
                     "罗艳", "都匀市剑江中路州民政局"),
    DemoOrganisation("dushan", "独山县社会工作服务总站", "COUNTY_STATION", "522726", 25.8264, 107.5437, "qiannan",
                     "莫光荣", "独山县民政局"),
    DemoOrganisation("jingcheng", "独山县井城街道社工站", "TOWNSHIP_STATION", "522726001", 25.8300, 107.5400,
                     "dushan", "韦丽萍", "井城街道办事处"),
    DemoOrganisation("wangcheng", "独山县望城社区社工室", "VILLAGE_ROOM", "522726001008", 25.8105, 107.5530,
                     "jingcheng", "潘小梅", "望城易地扶贫搬迁安置点综合服务中心"),
    DemoOrganisation("fuquan", "福泉市社会工作服务总站", "COUNTY_STATION", "522702", 26.7032, 107.5207, "qiannan",
                     "王德明", "福泉市民政局"),
    DemoOrganisation("jinshan", "福泉市金山街道社工站", "TOWNSHIP_STATION", "522702001", 26.6985, 107.5150,
                     "fuquan", "吴静", "金山街道办事处一楼"),
    DemoOrganisation("quanxin", "福泉市泉心社会工作服务中心", "AGENCY", "522702", 26.7010, 107.5180, "fuquan",
                     "蒙海燕", "福泉市金山街道洒金路"),
    DemoOrganisation("qianxinan", "黔西南州社会工作指导中心", "CITY_CENTER", "522300", 25.0920, 104.8950, None,
                     "岑永红", "兴义市州民政局"),
    DemoOrganisation("yilong", "义龙新区社会工作服务总站", "COUNTY_STATION", "522391", 25.0750, 105.0150,
                     "qianxinan", "卢建国", "义龙新区顶效社会事务局"),
    DemoOrganisation("mulong", "义龙新区木陇街道社工站", "TOWNSHIP_STATION", "522391001", 25.1210, 105.0850,
                     "yilong", "黄明芬", "木陇街道便民服务中心"),
    # Anhui: 合肥市, 铜陵市
    DemoOrganisation("hefei", "合肥市社会工作指导中心", "CITY_CENTER", "340100", 31.8206, 117.2272, None,
                     "汪海", "合肥市民政局"),
    DemoOrganisation("shushan", "蜀山区社会工作服务总站", "COUNTY_STATION", "340104", 31.8510, 117.2610, "hefei",
                     "吴昊", "蜀山区民政局"),
    DemoOrganisation("xiyuan", "蜀山区西园街道社工站", "TOWNSHIP_STATION", "340104004", 31.8640, 117.2560,
                     "shushan", "张琳", "西园街道党群服务中心"),
    DemoOrganisation("xiyuanxincun", "西园新村社区社工室", "VILLAGE_ROOM", "340104004003", 31.8660, 117.2520,
                     "xiyuan", "许文", "西园新村社区居委会"),
    DemoOrganisation("nuanyang", "合肥市蜀山区暖阳社会工作服务中心", "AGENCY", "340104", 31.8480, 117.2580,
                     "shushan", "方晓", "蜀山区长江西路 166 号"),
    DemoOrganisation("tongling", "铜陵市社会工作指导中心", "CITY_CENTER", "340700", 30.9454, 117.8122, None,
                     "章明", "铜陵市民政局"),
    DemoOrganisation("tljiaoqu", "铜陵市郊区社会工作服务总站", "COUNTY_STATION", "340711", 30.9080, 117.8070,
                     "tongling", "储国华", "郊区民政局"),
    DemoOrganisation("qiaonan", "郊区桥南街道社会工作服务站", "TOWNSHIP_STATION", "340711001", 30.9180, 117.7960,
                     "tljiaoqu", "董芳", "桥南街道办事处"),
    # Shandong: 济南市
    DemoOrganisation("jinan", "济南市社会工作指导中心", "CITY_CENTER", "370100", 36.6512, 117.1201, None,
                     "孙建", "济南市民政局"),
    DemoOrganisation("lixia", "历下区社会工作服务总站", "COUNTY_STATION", "370102", 36.6664, 117.0768, "jinan",
                     "李娜", "历下区民政局"),
    DemoOrganisation("dianliu", "历下区甸柳新村街道社工站", "TOWNSHIP_STATION", "370102009", 36.6770, 117.0610,
                     "lixia", "王倩", "甸柳新村街道办事处"),
    DemoOrganisation("dianliuyi", "甸柳第一社区社工室", "VILLAGE_ROOM", "370102009001", 36.6785, 117.0590,
                     "dianliu", "高峰", "甸柳第一社区居委会"),
    DemoOrganisation("huaiyin", "槐荫区社会工作服务总站", "COUNTY_STATION", "370104", 36.6517, 116.9009, "jinan",
                     "赵磊", "槐荫区民政局"),
    DemoOrganisation("kuangshan", "槐荫区匡山街道社工站", "TOWNSHIP_STATION", "370104010", 36.6860, 116.9560,
                     "huaiyin", "马晓燕", "匡山街道办事处"),
    DemoOrganisation("falv", "济南市法律援助志愿服务队", "VOLUNTEER_TEAM", "370100", 36.6600, 117.0500, "jinan",
                     "鲁文涛", "济南市法律援助中心"),
)
# fmt: on


@dataclass(frozen=True)
class HomeArea:
    """Where a group of volunteers lives: a community centre point, its dialects, the skills it leans to."""

    key: str
    lat: float
    lng: float
    volunteers: int
    dialects: tuple[str, ...]
    leaning: tuple[str, ...]
    surnames: str


# fmt: off
AREAS: tuple[HomeArea, ...] = (
    HomeArea("majiazhai", 30.1520, 112.3180, 50, ("JINGZHOU_DIALECT",),
             ("MEAL_DELIVERY", "WATER_RESCUE", "HOMEWORK_TUTORING", "ELDER_COMPANIONSHIP"), "王刘彭万龚杨张李周"),
    HomeArea("shashi", 30.3050, 112.2600, 60, ("JINGZHOU_DIALECT",),
             ("TRAFFIC_GUIDANCE", "CHILD_MINDING", "MEDIATION", "REHAB_EXERCISE"), "王李张刘陈杨黄胡熊彭邓万"),
    HomeArea("dushan", 25.8200, 107.5470, 40, ("GUIZHOU_DIALECT", "SHUI", "BOUYEI"),
             ("READING", "DIGITAL_HELP", "HOMEWORK_TUTORING"), "韦莫潘蒙吴杨王罗陆"),
    HomeArea("fuquan", 26.6990, 107.5170, 25, ("GUIZHOU_DIALECT", "MIAO"),
             ("CLEANUP", "HAIRCUT", "EVENT_ORGANISING"), "王罗杨吴陈龙张刘"),
    HomeArea("yilong", 25.1100, 105.0600, 25, ("GUIZHOU_DIALECT", "BOUYEI"),
             ("REHAB_EXERCISE", "SIGN_LANGUAGE", "ERRANDS"), "岑黄王罗韦卢陈李"),
    HomeArea("hefei", 31.8620, 117.2550, 30, ("JIANGHUAI_MANDARIN",),
             ("ERRANDS", "MEDIATION", "DIGITAL_HELP"), "王张李陈刘吴汪许方程"),
    HomeArea("tongling", 30.9150, 117.8000, 20, ("JIANGHUAI_MANDARIN",),
             ("PSYCHOLOGICAL_SUPPORT", "NURSING_CARE", "HOMEWORK_TUTORING"), "章储吴王陈汪张"),
    HomeArea("dianliu", 36.6770, 117.0620, 30, ("JINAN_DIALECT",),
             ("HEALTH_CHECK", "LEGAL_AID", "ELDER_COMPANIONSHIP"), "王张李孙赵刘高马"),
    HomeArea("kuangshan", 36.6850, 116.9520, 20, ("JINAN_DIALECT",),
             ("SIGN_LANGUAGE", "LEGAL_AID", "DRIVING"), "王张李孙赵刘鲁马"),
)
# fmt: on
