"""The demo's needs: what each organisation posts, with weekly or one-off schedules."""

from __future__ import annotations

from dataclasses import dataclass

from services.volunteers import WEEKDAYS

WEEKDAYS_ONLY = WEEKDAYS[:5]


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
    DemoNeed(
        "tongxin",
        "同心村养老外卖：每周一、周四送餐上门",
        "ELDER_CARE",
        "村老年食堂中午出餐，志愿者按送餐单把热饭菜送到行动不便的老人家里，顺便看看老人的身体和精神状况，"
        "有异常及时告诉驻村社工。",
        (("MEAL_DELIVERY", 1), ("ELDER_COMPANIONSHIP", 1)),
        "送餐 12 户：3 户不能自理（送到床前并协助进食），5 户半失能，4 户能自理。3 组刘爹爹（84 岁）糖尿病，"
        "只送低糖餐；7 组陈婆婆听力差，要大声敲门。",
        "TX-ELDER-MEALS",
        weekly(("MONDAY", "THURSDAY"), "10:30", 90, 3, weeks=8),
        languages=("JINGZHOU_DIALECT",),
        address="同心村村委会老年食堂",
        auto_accept=True,
    ),
    DemoNeed(
        "tongxin",
        "半失能老人每周探访与血压监测",
        "ELDER_CARE",
        "按社工制定的个案计划，每周三上门探访半失能老人：量血压、核对用药、陪聊半小时，填写探访记录。",
        (("HEALTH_CHECK", 2), ("ELDER_COMPANIONSHIP", 1)),
        "已签个案服务同意书。张婆婆（79 岁）高血压，独居，子女在武汉务工；血压高于 160/100 请立即电话告知驻站社工。",
        "TX-CASE-017",
        weekly(("WEDNESDAY",), "09:00", 120, 2),
        languages=("JINGZHOU_DIALECT",),
        address="同心村 5 组 21 号",
    ),
    DemoNeed(
        "majiazhai",
        "留守儿童周末辅导作业",
        "CHILD_CARE",
        "乡社工站“四点半课堂”周六上午开课，为三至六年级留守儿童辅导作业、陪伴阅读。",
        (("HOMEWORK_TUTORING", 2), ("READING", 1)),
        "14 名儿童，父母均在外务工，由祖辈照料；2 名有阅读困难，1 名需关注情绪（见个案记录）。",
        "MJZ-CHILD-GROUP",
        weekly(("SATURDAY",), "09:00", 150, 4, weeks=10),
        address="马家寨乡社工站二楼活动室",
    ),
    DemoNeed(
        "majiazhai",
        "特困老人代购生活用品与代取药品",
        "VULNERABLE_ASSISTANCE",
        "为乡里特困供养老人每两周代购一次生活用品，并到乡卫生院代取慢性病药物；需自备车辆。",
        (("ERRANDS", 1), ("MEDICINE_DELIVERY", 1), ("DRIVING", 2)),
        "服务对象 4 人，均为分散供养特困人员；药品清单由乡卫生院签字，钱款当面点清并拍照留存。",
        "MJZ-TEKUN",
        once((2, "09:00", 180, 1), (16, "09:00", 180, 1), (30, "09:00", 180, 1)),
        credentials=("DRIVING_LICENSE",),
        languages=("JINGZHOU_DIALECT",),
    ),
    DemoNeed(
        "lantian",
        "汛期防汛值守：荆江大堤郝穴段巡查",
        "EMERGENCY_RESPONSE",
        "高水位期间由社工站制定值守方案并统一调度，志愿者两人一组沿堤巡查管涌、渗水，发现险情立即上报，"
        "并协助转移堤下独居老人。",
        (("WATER_RESCUE", 2), ("FIRST_AID", 1)),
        "堤下需优先转移的 4 户独居老人名单在值班点，其中 1 位坐轮椅，需两人抬送。",
        "JL-FLOOD-WATCH",
        once(
            (1, "08:00", 720, 4),
            (1, "20:00", 720, 6),
            (2, "08:00", 720, 4),
            (2, "20:00", 720, 6),
            (3, "08:00", 720, 4),
            (3, "20:00", 720, 6),
        ),
        urgency="EMERGENCY",
        address="郝穴镇荆江大堤 3 号闸口值班点",
        at=(30.0330, 112.4080),
    ),
    DemoNeed(
        "zhongshan",
        "小区议事会：邻里纠纷调解",
        "COMMUNITY_GOVERNANCE",
        "中山街道每月召开小区议事会，协调噪音、停车、楼道堆物等邻里矛盾；需要有调解经验的志愿者协助主持和记录。",
        (("MEDIATION", 3),),
        "本月议题：3 号楼漏水纠纷（两户已多次争吵，勿在会上点名）。",
        "ZS-YISHI",
        once((6, "19:00", 120, 2), (34, "19:00", 120, 2)),
        address="中山街道办事处三楼会议室",
    ),
    DemoNeed(
        "zhongshanlu",
        "残疾人居家康复训练陪伴",
        "DISABILITY_REHAB",
        "康复师制定训练计划，志愿者每周二、周五到家陪练并记录进展。",
        (("REHAB_EXERCISE", 2),),
        "李叔（52 岁）脑梗后左侧偏瘫，可扶拐行走；训练中如诉头晕立即停止并联系家属。",
        "ZSL-REHAB-03",
        weekly(("TUESDAY", "FRIDAY"), "15:00", 60, 1, weeks=8),
        address="中山路社区 12 栋 2 单元",
    ),
    DemoNeed(
        "renai",
        "困境家庭入户走访（低保、特困）",
        "VULNERABLE_ASSISTANCE",
        "政府购买服务项目：社工带队，志愿者协助入户了解低保、特困家庭的生活状况和需求，填写需求评估表。",
        (("PSYCHOLOGICAL_SUPPORT", 1),),
        "走访名单 18 户（含 2 户重病家庭），仅限带队社工保管，不得拍照外传。",
        "RA-VISITS",
        once((4, "09:00", 240, 3), (5, "09:00", 240, 3)),
    ),
    DemoNeed(
        "aixinmama",
        "“爱心妈妈”放学后课后托管",
        "CHILD_CARE",
        "工作日放学后在儿童之家托管留守和困境儿童，看护写作业、做手工，等家长或祖辈来接。",
        (("CHILD_MINDING", 2),),
        "12 名儿童，其中 1 名对花生过敏，点心须查看配料。",
        "AXMM-AFTERSCHOOL",
        weekly(WEEKDAYS_ONLY, "16:30", 120, 2, weeks=4),
        address="荆州市妇联儿童之家",
    ),
    DemoNeed(
        "jiaotong",
        "上学高峰文明交通劝导",
        "COMMUNITY_GOVERNANCE",
        "工作日早上在北京中路小学路口劝导行人和电动车文明通行，护送学生过马路。",
        (("TRAFFIC_GUIDANCE", 1),),
        "路口信号灯 7:40 切换为学生专用相位，交警中队联系人在岗亭登记簿上。",
        "JT-SCHOOL-AM",
        weekly(WEEKDAYS_ONLY, "07:15", 60, 4, weeks=3),
        at=(30.3185, 112.2570),
        auto_accept=True,
    ),
    DemoNeed(
        "wangcheng",
        "搬迁安置点儿童陪伴阅读",
        "CHILD_CARE",
        "望城社区是易地扶贫搬迁安置点，住着 1818 户 7406 人，多为老人和儿童。周末在社区书屋开展陪伴阅读小组。",
        (("READING", 1),),
        "本组 12 名儿童，家长外出务工；2 名儿童只会说水语，需会水语的志愿者陪伴。",
        "WC-READING",
        weekly(("SATURDAY", "SUNDAY"), "15:00", 90, 3, weeks=8),
        languages=("SHUI", "BOUYEI", "MANDARIN"),
        address="望城社区书屋",
    ),
    DemoNeed(
        "wangcheng",
        "教搬迁老人使用智能手机",
        "ELDER_CARE",
        "手把手教老人视频通话、扫码就医和防范电信诈骗。",
        (("DIGITAL_HELP", 1),),
        "报名老人 20 位，多数不识字，需用方言讲解。",
        "WC-PHONE",
        once((3, "14:30", 120, 4), (10, "14:30", 120, 4)),
        languages=("SHUI", "GUIZHOU_DIALECT"),
    ),
    DemoNeed(
        "jingcheng",
        "“三留守”人员入户走访",
        "VULNERABLE_ASSISTANCE",
        "走访留守老人、妇女、儿童家庭，建立台账，发现困难及时转介。",
        (("ELDER_COMPANIONSHIP", 1), ("PSYCHOLOGICAL_SUPPORT", 1)),
        "走访名单 30 户，其中 3 户为重度残疾家庭，需社工同行。",
        "JC-SANLIUSHOU",
        once(
            (7, "09:00", 300, 4),
        ),
        languages=("GUIZHOU_DIALECT",),
    ),
    DemoNeed(
        "jinshan",
        "社区环境整治志愿行动",
        "COMMUNITY_GOVERNANCE",
        "清理老旧小区楼道堆物和背街小巷垃圾，工具和手套由街道提供。",
        (("CLEANUP", 1),),
        "无个人信息。",
        "JS-CLEANUP",
        once(
            (9, "08:30", 180, 15),
        ),
        auto_accept=True,
    ),
    DemoNeed(
        "quanxin",
        "老年人义剪",
        "ELDER_CARE",
        "“泉城有爱”服务品牌活动：在社区广场为老人免费理发，行动不便的上门服务。",
        (("HAIRCUT", 2),),
        "上门名单 3 位卧床老人，地址由社工提供。",
        "QX-HAIRCUT",
        once(
            (12, "09:00", 180, 3),
        ),
    ),
    DemoNeed(
        "mulong",
        "残疾儿童康复训练陪伴",
        "DISABILITY_REHAB",
        "配合康复师为街道残疾儿童做康复游戏和训练，每周三下午。",
        (("REHAB_EXERCISE", 2),),
        "6 名儿童：4 名脑瘫，2 名听障（1 名会手语）；家长多说布依语。",
        "ML-REHAB-KIDS",
        weekly(("WEDNESDAY",), "15:00", 90, 2, weeks=8),
        languages=("BOUYEI", "MANDARIN"),
        credentials=("CHILD_SAFEGUARDING_CHECK",),
    ),
    DemoNeed(
        "xiyuanxincun",
        "高龄老人跑腿代购",
        "ELDER_CARE",
        "老城区老年人口占两成以上，社区人手有限；每周二、周六为高龄独居老人代购米面菜和日用品。",
        (("ERRANDS", 1),),
        "服务对象 8 户，均为 80 岁以上独居老人；6 栋 2 单元赵奶奶行动不便，钥匙放在楼长处。",
        "XYXC-ERRANDS",
        weekly(("TUESDAY", "SATURDAY"), "09:00", 120, 2, weeks=8),
        languages=("JIANGHUAI_MANDARIN",),
    ),
    DemoNeed(
        "xiyuan",
        "老旧小区楼道议事会",
        "COMMUNITY_GOVERNANCE",
        "协调加装电梯的意见分歧，志愿者协助记录和调解。",
        (("MEDIATION", 2),),
        "反对户主要是 1 楼两户，已单独沟通过一次。",
        "XY-ELEVATOR",
        once(
            (5, "19:00", 90, 2),
        ),
    ),
    DemoNeed(
        "qiaonan",
        "困境儿童关爱探访",
        "VULNERABLE_ASSISTANCE",
        "社工站“一站一品”项目：探访事实无人抚养儿童，陪伴聊天、检查学习和生活情况。",
        (("PSYCHOLOGICAL_SUPPORT", 2),),
        "4 名儿童，均由祖辈抚养；其中 1 名父亲服刑，谈话避免涉及。",
        "QN-KIDS",
        once((6, "14:00", 180, 2), (20, "14:00", 180, 2)),
        credentials=("CHILD_SAFEGUARDING_CHECK",),
    ),
    DemoNeed(
        "qiaonan",
        "失能老人助浴与护理",
        "ELDER_CARE",
        "每周五上午协助护理员为失能老人助浴、更换床单，需有护理经验。",
        (("NURSING_CARE", 3),),
        "2 位老人卧床，其中 1 位有压疮，需护理员在场。",
        "QN-BATH",
        weekly(("FRIDAY",), "09:00", 120, 2, weeks=8),
        credentials=("HEALTH_CERT",),
    ),
    DemoNeed(
        "dianliuyi",
        "助老晨练与健康监测",
        "ELDER_CARE",
        "每周一、三、五早上带领老人做八段锦，练后测血压、心率并登记。",
        (("HEALTH_CHECK", 1), ("EVENT_ORGANISING", 1)),
        "参加老人 25 位，3 位装有心脏起搏器，勿做剧烈动作。",
        "DL1-MORNING",
        weekly(("MONDAY", "WEDNESDAY", "FRIDAY"), "07:00", 60, 2, weeks=8),
        languages=("JINAN_DIALECT",),
    ),
    DemoNeed(
        "falv",
        "法律援助义务咨询进社区",
        "COMMUNITY_GOVERNANCE",
        "律师志愿者在甸柳新村街道为居民解答赡养、继承、劳动争议等法律问题。",
        (("LEGAL_AID", 3),),
        "已预约 6 位居民，其中 2 起赡养纠纷。",
        "FL-CLINIC",
        once((8, "09:00", 180, 2), (22, "09:00", 180, 2)),
        at=(36.6770, 117.0610),
    ),
    DemoNeed(
        "kuangshan",
        "听障居民手语陪同就医",
        "DISABILITY_REHAB",
        "陪同听障居民到医院复诊，协助与医生沟通。",
        (("SIGN_LANGUAGE", 3),),
        "王阿姨（61 岁）重度听障，复诊内分泌科。",
        "KS-SIGN",
        once(
            (2, "08:30", 240, 1),
        ),
        urgency="URGENT",
        languages=("CHINESE_SIGN_LANGUAGE",),
    ),
)
