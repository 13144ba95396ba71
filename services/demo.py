"""The demo data set: stations in Hubei, Guizhou, Anhui and Shandong, their needs and a few hundred volunteers.

Everything goes through the domain services, so the demo passes the same validation as the API.
Content is fixed by a seed; times are relative to today, so every task lies in the future.

Region codes: counties and cities are GB/T 2260 codes. Township (9-digit) and village (12-digit) codes
follow the GB/T 10114 pattern (街道 0xx, 镇 1xx, 乡 2xx; 社区 0xx, 村 2xx) and are plausible rather than
looked up. 义龙新区 has no county code of its own; the demo files it as 522391, inside 黔西南州 (5223).

Password hashing (argon2, 50–150 ms each) dominates the load time. Organisations, the admin, the
committee account and the first volunteer of each area get their own hash through the services; the
other volunteers pass the same profile validation and are inserted in batches sharing one hash of
DEMO_PASSWORD (`_insert_volunteers`).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from types import SimpleNamespace

from db.repo import new_id
from services import validation as v
from services.auth import Viewer, hash_password
from services.errors import Collector, DomainError
from services.needs import LOCAL
from services.volunteers import WEEKDAYS, normalise_profile

SEED = 4210242
DEMO_PASSWORD = "demo-password"
ADMIN_EMAIL = "admin@demo.cn"
COMMITTEE_EMAIL = "committee@majiazhai.demo.cn"
COMMITTEE_REGION = "421024206"


def coordinator_email(org_key: str) -> str:
    return f"coordinator@{org_key}.demo.cn"


def volunteer_email(n: int) -> str:
    return f"volunteer{n}@demo.cn"


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

# Weights of how common each skill is among volunteers; an area's leaning skills count three times.
SKILL_WEIGHTS: dict[str, int] = {
    "ELDER_COMPANIONSHIP": 14, "MEAL_DELIVERY": 10, "ERRANDS": 10, "MEDICINE_DELIVERY": 6, "HEALTH_CHECK": 4,
    "NURSING_CARE": 2, "HOMEWORK_TUTORING": 9, "READING": 7, "CHILD_MINDING": 6, "PSYCHOLOGICAL_SUPPORT": 3,
    "REHAB_EXERCISE": 2, "SIGN_LANGUAGE": 1, "MEDIATION": 3, "LEGAL_AID": 1, "CLEANUP": 9, "EVENT_ORGANISING": 5,
    "FIRST_AID": 4, "WATER_RESCUE": 1, "FIRE_SAFETY": 2, "TRAFFIC_GUIDANCE": 4, "DRIVING": 6, "DIGITAL_HELP": 6,
    "HAIRCUT": 1, "COOKING": 6,
}
LEVEL_WEIGHTS = (35, 30, 20, 10, 5)  # levels 1..5: most volunteers are beginners
# (credential, share of volunteers holding it)
CREDENTIAL_SHARES = (("CHILD_SAFEGUARDING_CHECK", 0.35), ("DRIVING_LICENSE", 0.35), ("FIRST_AID_CERT", 0.25),
                     ("HEALTH_CERT", 0.2), ("SOCIAL_WORKER_LICENSE", 0.05))
EXPIRED_SHARE = 0.15
WEEKDAYS_ONLY = WEEKDAYS[:5]
# (pattern, weight, [(weekday, start hour, end hour)]) in local time
AVAILABILITY_PATTERNS = (
    ("retired, weekday mornings", 30, [(d, 8, 12) for d in WEEKDAYS_ONLY]),
    ("office worker, evenings and Saturday", 25, [(d, 19, 21) for d in WEEKDAYS_ONLY] + [("SATURDAY", 9, 12)]),
    ("student, weekends", 25, [("SATURDAY", 8, 18), ("SUNDAY", 8, 18)]),
    ("shift worker, afternoons", 20, [("TUESDAY", 14, 18), ("THURSDAY", 14, 18), ("SATURDAY", 8, 12)]),
)
GIVEN_NAME_CHARS = ("建国志强军伟勇杰涛磊鹏浩宇斌明平德华海林文超荣刚", "秀英桂兰丽芳敏静艳娟霞玉红梅燕春雪慧云凤婷琳欣雨佳思")
# The first volunteer of each area (the demo logins volunteer1…) is free on weekday mornings and weekend afternoons.
LEADER_AVAILABILITY = [(d, 8, 12) for d in WEEKDAYS_ONLY] + [("SATURDAY", 14, 18), ("SUNDAY", 14, 18)]


def _enum(value: str) -> SimpleNamespace:
    """What the services read from a strawberry enum: its `.value`."""
    return SimpleNamespace(value=value)


def _point(lat: float, lng: float) -> SimpleNamespace:
    return SimpleNamespace(lat=round(lat, 5), lng=round(lng, 5))


def _scatter(rng: random.Random, lat: float, lng: float, max_km: float) -> SimpleNamespace:
    """A point uniformly spread over a disc of `max_km` around (lat, lng)."""
    d = max_km * math.sqrt(rng.random())
    bearing = rng.uniform(0, 2 * math.pi)
    return _point(lat + d * math.cos(bearing) / 111.0,
                  lng + d * math.sin(bearing) / (111.0 * math.cos(math.radians(lat))))


def _name(rng: random.Random, surnames: str) -> str:
    chars = rng.choice(GIVEN_NAME_CHARS)
    given = "".join(rng.choice(chars) for _ in range(rng.choice((1, 2, 2, 2))))
    return rng.choice(surnames) + given


def volunteer_profiles(today: date, seed: int = SEED) -> list[SimpleNamespace]:
    """Registration inputs for every demo volunteer; the first of each area leads the list (volunteer1…)."""
    rng = random.Random(seed)
    leaders, others = [], []
    for area in AREAS:
        for i in range(area.volunteers):
            (leaders if i == 0 else others).append(_volunteer(rng, area, today, leader=i == 0))
    profiles = leaders + others
    for n, p in enumerate(profiles, start=1):
        p.email = volunteer_email(n)
    return profiles


def _volunteer(rng: random.Random, area: HomeArea, today: date, leader: bool) -> SimpleNamespace:
    codes = list(SKILL_WEIGHTS)
    weights = [SKILL_WEIGHTS[c] * (3 if c in area.leaning else 1) for c in codes]
    skills: dict[str, int] = {}
    if leader:
        skills[area.leaning[0]] = 3
    for _ in range(rng.choice((1, 2, 2, 3, 3, 4))):
        skills.setdefault(rng.choices(codes, weights)[0], rng.choices(range(1, 6), LEVEL_WEIGHTS)[0])
    responder = "WATER_RESCUE" in skills or "FIRST_AID" in skills or rng.random() < 0.08
    if responder:
        skills.setdefault("FIRST_AID", rng.choice((2, 3)))
        if "WATER_RESCUE" in area.leaning:
            skills.setdefault("WATER_RESCUE", rng.choice((2, 3, 4)))
    credentials = []
    for kind, share in CREDENTIAL_SHARES:
        if rng.random() < share or (kind == "FIRST_AID_CERT" and responder and rng.random() < 0.8):
            expired = rng.random() < EXPIRED_SHARE
            days = -rng.randint(10, 400) if expired else rng.randint(60, 1500)
            credentials.append(SimpleNamespace(kind=kind, expires_on=today + timedelta(days=days)))
    languages = ["MANDARIN"] if rng.random() < 0.95 else []
    languages += [d for d in area.dialects if leader or rng.random() < 0.7]
    if rng.random() < 0.03 or "SIGN_LANGUAGE" in skills:
        languages.append("CHINESE_SIGN_LANGUAGE")
    if rng.random() < 0.08:
        languages.append("ENGLISH")
    if not languages:
        languages = [area.dialects[0]]
    _, _, slots = rng.choices(AVAILABILITY_PATTERNS, [w for _, w, _ in AVAILABILITY_PATTERNS])[0]
    if leader:
        slots = LEADER_AVAILABILITY
    availability = [SimpleNamespace(weekday=_enum(d), start_hour=s, end_hour=e) for d, s, e in slots]
    if responder:  # on call around the clock on weekend days the pattern leaves free
        busy = {d for d, _, _ in slots}
        availability += [SimpleNamespace(weekday=_enum(d), start_hour=0, end_hour=24)
                         for d in ("SATURDAY", "SUNDAY") if d not in busy]
    blackouts = sorted({today + timedelta(days=rng.randint(3, 60)) for _ in range(rng.choice((0, 0, 0, 1, 2, 3)))})
    return SimpleNamespace(
        name=_name(rng, area.surnames), email=None, password=DEMO_PASSWORD,
        phone="1" + rng.choice("3578") + "".join(rng.choice("0123456789") for _ in range(9)),
        home=_scatter(rng, area.lat, area.lng, 4.0),
        travel_radius_km=float(rng.choice((2, 3, 5, 5, 8, 10, 15)) if not responder else rng.choice((10, 15, 15))),
        skills=[SimpleNamespace(skill=k, level=lvl) for k, lvl in skills.items()],
        credentials=credentials, languages=languages, availability=availability, blackout_dates=blackouts,
        max_hours_per_week=rng.choice((2, 4, 4, 6, 8, 10, 16)), emergency_responder=responder)


def weekly(weekdays: tuple[str, ...], start: str, minutes: int, slots: int, weeks: int | None = None) -> dict:
    return {"weekly": (weekdays, start, minutes, slots, weeks)}


def once(*occurrences: tuple[int, str, int, int]) -> dict:
    """(days from today, local start "HH:MM", minutes, slots) for each task."""
    return {"once": occurrences}


@dataclass(frozen=True)
class DemoNeed:
    org: str
    title: str
    category: str
    description: str
    skills: tuple[tuple[str, int], ...]
    notes: str
    ref: str
    schedule: dict
    urgency: str = "ROUTINE"
    languages: tuple[str, ...] = ()
    credentials: tuple[str, ...] | None = None
    address: str | None = None
    at: tuple[float, float] | None = None
    auto_accept: bool = False


NEEDS: tuple[DemoNeed, ...] = (
    DemoNeed("tongxin", "同心村养老外卖：每周一、周四送餐上门", "ELDER_CARE",
             "村老年食堂中午出餐，志愿者按送餐单把热饭菜送到行动不便的老人家里，顺便看看老人的身体和精神状况，"
             "有异常及时告诉驻村社工。",
             (("MEAL_DELIVERY", 1), ("ELDER_COMPANIONSHIP", 1)),
             "送餐 12 户：3 户不能自理（送到床前并协助进食），5 户半失能，4 户能自理。3 组刘爹爹（84 岁）糖尿病，"
             "只送低糖餐；7 组陈婆婆听力差，要大声敲门。", "TX-ELDER-MEALS",
             weekly(("MONDAY", "THURSDAY"), "10:30", 90, 3, weeks=8), languages=("JINGZHOU_DIALECT",),
             address="同心村村委会老年食堂", auto_accept=True),
    DemoNeed("tongxin", "半失能老人每周探访与血压监测", "ELDER_CARE",
             "按社工制定的个案计划，每周三上门探访半失能老人：量血压、核对用药、陪聊半小时，填写探访记录。",
             (("HEALTH_CHECK", 2), ("ELDER_COMPANIONSHIP", 1)),
             "已签个案服务同意书。张婆婆（79 岁）高血压，独居，子女在武汉务工；血压高于 160/100 请立即电话告知驻站社工。",
             "TX-CASE-017", weekly(("WEDNESDAY",), "09:00", 120, 2), languages=("JINGZHOU_DIALECT",),
             address="同心村 5 组 21 号"),
    DemoNeed("majiazhai", "留守儿童周末辅导作业", "CHILD_CARE",
             "乡社工站“四点半课堂”周六上午开课，为三至六年级留守儿童辅导作业、陪伴阅读。",
             (("HOMEWORK_TUTORING", 2), ("READING", 1)),
             "14 名儿童，父母均在外务工，由祖辈照料；2 名有阅读困难，1 名需关注情绪（见个案记录）。",
             "MJZ-CHILD-GROUP", weekly(("SATURDAY",), "09:00", 150, 4, weeks=10),
             address="马家寨乡社工站二楼活动室"),
    DemoNeed("majiazhai", "特困老人代购生活用品与代取药品", "VULNERABLE_ASSISTANCE",
             "为乡里特困供养老人每两周代购一次生活用品，并到乡卫生院代取慢性病药物；需自备车辆。",
             (("ERRANDS", 1), ("MEDICINE_DELIVERY", 1), ("DRIVING", 2)),
             "服务对象 4 人，均为分散供养特困人员；药品清单由乡卫生院签字，钱款当面点清并拍照留存。", "MJZ-TEKUN",
             once((2, "09:00", 180, 1), (16, "09:00", 180, 1), (30, "09:00", 180, 1)),
             credentials=("DRIVING_LICENSE",), languages=("JINGZHOU_DIALECT",)),
    DemoNeed("lantian", "汛期防汛值守：荆江大堤郝穴段巡查", "EMERGENCY_RESPONSE",
             "高水位期间由社工站制定值守方案并统一调度，志愿者两人一组沿堤巡查管涌、渗水，发现险情立即上报，"
             "并协助转移堤下独居老人。",
             (("WATER_RESCUE", 2), ("FIRST_AID", 1)),
             "堤下需优先转移的 4 户独居老人名单在值班点，其中 1 位坐轮椅，需两人抬送。", "JL-FLOOD-WATCH",
             once((1, "08:00", 720, 4), (1, "20:00", 720, 6), (2, "08:00", 720, 4), (2, "20:00", 720, 6),
                  (3, "08:00", 720, 4), (3, "20:00", 720, 6)),
             urgency="EMERGENCY", address="郝穴镇荆江大堤 3 号闸口值班点", at=(30.0330, 112.4080)),
    DemoNeed("zhongshan", "小区议事会：邻里纠纷调解", "COMMUNITY_GOVERNANCE",
             "中山街道每月召开小区议事会，协调噪音、停车、楼道堆物等邻里矛盾；需要有调解经验的志愿者协助主持和记录。",
             (("MEDIATION", 3),),
             "本月议题：3 号楼漏水纠纷（两户已多次争吵，勿在会上点名）。", "ZS-YISHI",
             once((6, "19:00", 120, 2), (34, "19:00", 120, 2)), address="中山街道办事处三楼会议室"),
    DemoNeed("zhongshanlu", "残疾人居家康复训练陪伴", "DISABILITY_REHAB",
             "康复师制定训练计划，志愿者每周二、周五到家陪练并记录进展。",
             (("REHAB_EXERCISE", 2),),
             "李叔（52 岁）脑梗后左侧偏瘫，可扶拐行走；训练中如诉头晕立即停止并联系家属。", "ZSL-REHAB-03",
             weekly(("TUESDAY", "FRIDAY"), "15:00", 60, 1, weeks=8), address="中山路社区 12 栋 2 单元"),
    DemoNeed("renai", "困境家庭入户走访（低保、特困）", "VULNERABLE_ASSISTANCE",
             "政府购买服务项目：社工带队，志愿者协助入户了解低保、特困家庭的生活状况和需求，填写需求评估表。",
             (("PSYCHOLOGICAL_SUPPORT", 1),),
             "走访名单 18 户（含 2 户重病家庭），仅限带队社工保管，不得拍照外传。", "RA-VISITS",
             once((4, "09:00", 240, 3), (5, "09:00", 240, 3))),
    DemoNeed("aixinmama", "“爱心妈妈”放学后课后托管", "CHILD_CARE",
             "工作日放学后在儿童之家托管留守和困境儿童，看护写作业、做手工，等家长或祖辈来接。",
             (("CHILD_MINDING", 2),),
             "12 名儿童，其中 1 名对花生过敏，点心须查看配料。", "AXMM-AFTERSCHOOL",
             weekly(WEEKDAYS_ONLY, "16:30", 120, 2, weeks=4), address="荆州市妇联儿童之家"),
    DemoNeed("jiaotong", "上学高峰文明交通劝导", "COMMUNITY_GOVERNANCE",
             "工作日早上在北京中路小学路口劝导行人和电动车文明通行，护送学生过马路。",
             (("TRAFFIC_GUIDANCE", 1),),
             "路口信号灯 7:40 切换为学生专用相位，交警中队联系人在岗亭登记簿上。", "JT-SCHOOL-AM",
             weekly(WEEKDAYS_ONLY, "07:15", 60, 4, weeks=3), at=(30.3185, 112.2570), auto_accept=True),
    DemoNeed("wangcheng", "搬迁安置点儿童陪伴阅读", "CHILD_CARE",
             "望城社区是易地扶贫搬迁安置点，住着 1818 户 7406 人，多为老人和儿童。周末在社区书屋开展陪伴阅读小组。",
             (("READING", 1),),
             "本组 12 名儿童，家长外出务工；2 名儿童只会说水语，需会水语的志愿者陪伴。", "WC-READING",
             weekly(("SATURDAY", "SUNDAY"), "15:00", 90, 3, weeks=8), languages=("SHUI", "BOUYEI", "MANDARIN"),
             address="望城社区书屋"),
    DemoNeed("wangcheng", "教搬迁老人使用智能手机", "ELDER_CARE",
             "手把手教老人视频通话、扫码就医和防范电信诈骗。",
             (("DIGITAL_HELP", 1),),
             "报名老人 20 位，多数不识字，需用方言讲解。", "WC-PHONE",
             once((3, "14:30", 120, 4), (10, "14:30", 120, 4)), languages=("SHUI", "GUIZHOU_DIALECT")),
    DemoNeed("jingcheng", "“三留守”人员入户走访", "VULNERABLE_ASSISTANCE",
             "走访留守老人、妇女、儿童家庭，建立台账，发现困难及时转介。",
             (("ELDER_COMPANIONSHIP", 1), ("PSYCHOLOGICAL_SUPPORT", 1)),
             "走访名单 30 户，其中 3 户为重度残疾家庭，需社工同行。", "JC-SANLIUSHOU",
             once((7, "09:00", 300, 4),), languages=("GUIZHOU_DIALECT",)),
    DemoNeed("jinshan", "社区环境整治志愿行动", "COMMUNITY_GOVERNANCE",
             "清理老旧小区楼道堆物和背街小巷垃圾，工具和手套由街道提供。",
             (("CLEANUP", 1),), "无个人信息。", "JS-CLEANUP", once((9, "08:30", 180, 15),), auto_accept=True),
    DemoNeed("quanxin", "老年人义剪", "ELDER_CARE",
             "“泉城有爱”服务品牌活动：在社区广场为老人免费理发，行动不便的上门服务。",
             (("HAIRCUT", 2),), "上门名单 3 位卧床老人，地址由社工提供。", "QX-HAIRCUT",
             once((12, "09:00", 180, 3),)),
    DemoNeed("mulong", "残疾儿童康复训练陪伴", "DISABILITY_REHAB",
             "配合康复师为街道残疾儿童做康复游戏和训练，每周三下午。",
             (("REHAB_EXERCISE", 2),),
             "6 名儿童：4 名脑瘫，2 名听障（1 名会手语）；家长多说布依语。", "ML-REHAB-KIDS",
             weekly(("WEDNESDAY",), "15:00", 90, 2, weeks=8), languages=("BOUYEI", "MANDARIN"),
             credentials=("CHILD_SAFEGUARDING_CHECK",)),
    DemoNeed("xiyuanxincun", "高龄老人跑腿代购", "ELDER_CARE",
             "老城区老年人口占两成以上，社区人手有限；每周二、周六为高龄独居老人代购米面菜和日用品。",
             (("ERRANDS", 1),),
             "服务对象 8 户，均为 80 岁以上独居老人；6 栋 2 单元赵奶奶行动不便，钥匙放在楼长处。", "XYXC-ERRANDS",
             weekly(("TUESDAY", "SATURDAY"), "09:00", 120, 2, weeks=8), languages=("JIANGHUAI_MANDARIN",)),
    DemoNeed("xiyuan", "老旧小区楼道议事会", "COMMUNITY_GOVERNANCE",
             "协调加装电梯的意见分歧，志愿者协助记录和调解。",
             (("MEDIATION", 2),), "反对户主要是 1 楼两户，已单独沟通过一次。", "XY-ELEVATOR",
             once((5, "19:00", 90, 2),)),
    DemoNeed("qiaonan", "困境儿童关爱探访", "VULNERABLE_ASSISTANCE",
             "社工站“一站一品”项目：探访事实无人抚养儿童，陪伴聊天、检查学习和生活情况。",
             (("PSYCHOLOGICAL_SUPPORT", 2),),
             "4 名儿童，均由祖辈抚养；其中 1 名父亲服刑，谈话避免涉及。", "QN-KIDS",
             once((6, "14:00", 180, 2), (20, "14:00", 180, 2)), credentials=("CHILD_SAFEGUARDING_CHECK",)),
    DemoNeed("qiaonan", "失能老人助浴与护理", "ELDER_CARE",
             "每周五上午协助护理员为失能老人助浴、更换床单，需有护理经验。",
             (("NURSING_CARE", 3),), "2 位老人卧床，其中 1 位有压疮，需护理员在场。", "QN-BATH",
             weekly(("FRIDAY",), "09:00", 120, 2, weeks=8), credentials=("HEALTH_CERT",)),
    DemoNeed("dianliuyi", "助老晨练与健康监测", "ELDER_CARE",
             "每周一、三、五早上带领老人做八段锦，练后测血压、心率并登记。",
             (("HEALTH_CHECK", 1), ("EVENT_ORGANISING", 1)),
             "参加老人 25 位，3 位装有心脏起搏器，勿做剧烈动作。", "DL1-MORNING",
             weekly(("MONDAY", "WEDNESDAY", "FRIDAY"), "07:00", 60, 2, weeks=8), languages=("JINAN_DIALECT",)),
    DemoNeed("falv", "法律援助义务咨询进社区", "COMMUNITY_GOVERNANCE",
             "律师志愿者在甸柳新村街道为居民解答赡养、继承、劳动争议等法律问题。",
             (("LEGAL_AID", 3),), "已预约 6 位居民，其中 2 起赡养纠纷。", "FL-CLINIC",
             once((8, "09:00", 180, 2), (22, "09:00", 180, 2)), at=(36.6770, 117.0610)),
    DemoNeed("kuangshan", "听障居民手语陪同就医", "DISABILITY_REHAB",
             "陪同听障居民到医院复诊，协助与医生沟通。",
             (("SIGN_LANGUAGE", 3),), "王阿姨（61 岁）重度听障，复诊内分泌科。", "KS-SIGN",
             once((2, "08:30", 240, 1),), urgency="URGENT", languages=("CHINESE_SIGN_LANGUAGE",)),
)


def _need_input(rng: random.Random, need: DemoNeed, org: DemoOrganisation, today: date) -> SimpleNamespace:
    location = _point(*need.at) if need.at else _scatter(rng, org.lat, org.lng, 0.8)
    tasks = recurrence = None
    if "weekly" in need.schedule:
        weekdays, start, minutes, slots, weeks = need.schedule["weekly"]
        starts_on = today + timedelta(days=1)
        recurrence = SimpleNamespace(weekdays=[_enum(w) for w in weekdays], start_time=time.fromisoformat(start),
                                     duration_minutes=minutes, slots=slots, starts_on=starts_on,
                                     ends_on=starts_on + timedelta(weeks=weeks, days=-1) if weeks else None)
    else:
        tasks = []
        for days, start, minutes, slots in need.schedule["once"]:
            starts = datetime.combine(today + timedelta(days=days), time.fromisoformat(start), LOCAL)
            tasks.append(SimpleNamespace(starts_at=starts, ends_at=starts + timedelta(minutes=minutes), slots=slots))
    return SimpleNamespace(
        title=need.title, description=need.description, category=_enum(need.category), urgency=_enum(need.urgency),
        location=location, address=need.address or org.address,
        required_skills=[SimpleNamespace(skill=s, min_level=lvl) for s, lvl in need.skills],
        required_credentials=list(need.credentials) if need.credentials is not None else None,
        languages=list(need.languages), beneficiary_notes=need.notes, beneficiary_ref=need.ref,
        auto_accept=need.auto_accept, tasks=tasks, recurrence=recurrence, idempotency_key=None)


async def _insert_volunteers(app, profiles: list[SimpleNamespace], password_hash: str) -> list[dict]:
    """Volunteers' registration without one argon2 hash each: same checks, batched writes, one shared hash."""
    c = Collector()
    normalised = [(v.email(c, p.email), normalise_profile(c, p, partial=False)) for p in profiles]
    c.raise_if_any()
    now = datetime.now(timezone.utc)
    claims, accounts, volunteers = [], [], []
    for email, profile in normalised:
        account_id, volunteer_id = new_id(), new_id()
        claims.append({"_id": email, "account_id": account_id, "at": now})
        accounts.append({"_id": account_id, "email": email, "password_hash": password_hash, "role": "VOLUNTEER",
                         "display_name": profile["name"], "created_at": now, "volunteer_id": volunteer_id})
        volunteers.append({"_id": volunteer_id, "account_id": account_id, "email": email, "active": True,
                           "created_at": now, "updated_at": now, **profile})
    await app.emails.insert_many(claims)
    await app.accounts.insert_many(accounts)
    await app.volunteers.insert_many(volunteers)
    await app.changed("volunteer", *volunteers)
    return volunteers


async def load_demo(app, today: date | None = None) -> dict[str, int]:
    """Loads the demo set into a database without it; returns how many of each kind were written."""
    if await app.emails.get(ADMIN_EMAIL) is not None:
        raise DomainError("DEMO_ALREADY_LOADED", f"the demo data is already loaded ({ADMIN_EMAIL} exists)")
    today = today or datetime.now(LOCAL).date()
    rng = random.Random(SEED)

    admin = await app.account_service.create_admin(ADMIN_EMAIL, DEMO_PASSWORD, "演示管理员")
    admin_viewer = Viewer(account_id=admin["_id"], role="ADMIN")
    orgs: dict[str, dict] = {}
    for o in ORGANISATIONS:
        p = SimpleNamespace(name=o.name, kind=_enum(o.kind), region_code=o.region_code,
                            location=_point(o.lat, o.lng), address=o.address,
                            coordinator=SimpleNamespace(email=coordinator_email(o.key), password=DEMO_PASSWORD,
                                                        display_name=o.coordinator))
        _, orgs[o.key] = await app.organisation_service.register(
            admin_viewer, p, orgs[o.parent]["_id"] if o.parent else None)
    await app.account_service.create_committee_account(admin_viewer, SimpleNamespace(
        email=COMMITTEE_EMAIL, password=DEMO_PASSWORD, display_name="马家寨乡村（居）委会联络员",
        region_code=COMMITTEE_REGION))

    by_key = {o.key: o for o in ORGANISATIONS}
    needs = []
    for need in NEEDS:
        org = orgs[need.org]
        viewer = await app.account_service.viewer_for(org["coordinator_account_ids"][0])
        needs.append(await app.need_service.post(viewer, _need_input(rng, need, by_key[need.org], today), org["_id"]))

    profiles = volunteer_profiles(today)
    registered = len(AREAS)
    for p in profiles[:registered]:
        await app.account_service.register_volunteer(p)
    await _insert_volunteers(app, profiles[registered:], hash_password(DEMO_PASSWORD))

    return {"organisations": len(orgs), "accounts": 2 + len(orgs) + len(profiles), "volunteers": len(profiles),
            "needs": len(needs), "tasks": sum(len(n["task_ids"]) for n in needs)}
