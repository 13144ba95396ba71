"""The controlled vocabularies shared by matching, services and the API.

Skills, credentials and languages are codes from fixed lists so that a typo in a client
is a `UserError`, not a silently unmatched task. Order matters: a code's position is its
bit in the matching index, so append new codes at the end.
"""

SKILLS: tuple[str, ...] = (
    "ELDER_COMPANIONSHIP",  # 陪伴老人
    "MEAL_DELIVERY",  # 养老外卖 / 送餐
    "ERRANDS",  # 跑腿代购
    "MEDICINE_DELIVERY",  # 送药
    "HEALTH_CHECK",  # 健康检查 (blood pressure etc.)
    "NURSING_CARE",  # 护理 for people who are not self-caring
    "HOMEWORK_TUTORING",  # 辅导作业
    "READING",  # 陪伴阅读
    "CHILD_MINDING",  # 课后托管 / 爱心妈妈
    "PSYCHOLOGICAL_SUPPORT",  # 心理疏导
    "REHAB_EXERCISE",  # 康复训练
    "SIGN_LANGUAGE",  # 手语
    "MEDIATION",  # 调解
    "LEGAL_AID",  # 法律援助
    "CLEANUP",  # 环境整治
    "EVENT_ORGANISING",  # 社区活动
    "FIRST_AID",  # 急救
    "WATER_RESCUE",  # 水上救援
    "FIRE_SAFETY",  # 消防
    "TRAFFIC_GUIDANCE",  # 交通劝导
    "DRIVING",  # 驾驶
    "DIGITAL_HELP",  # 教老人用手机
    "HAIRCUT",  # 义剪
    "COOKING",  # 做饭
)
SKILL_BIT = {code: i for i, code in enumerate(SKILLS)}
MIN_LEVEL, MAX_LEVEL = 1, 5

CREDENTIALS: tuple[str, ...] = (
    "FIRST_AID_CERT",  # 急救证
    "CHILD_SAFEGUARDING_CHECK",  # 无犯罪记录 / 儿童保护审查
    "SOCIAL_WORKER_LICENSE",  # 社会工作者职业资格
    "DRIVING_LICENSE",  # 驾驶证
    "HEALTH_CERT",  # 健康证 (food handling)
)

# Categories whose tasks require a credential unless the need says otherwise.
DEFAULT_CREDENTIALS_BY_CATEGORY: dict[str, tuple[str, ...]] = {
    "CHILD_CARE": ("CHILD_SAFEGUARDING_CHECK",),
    "EMERGENCY_RESPONSE": ("FIRST_AID_CERT",),
}

LANGUAGES: tuple[str, ...] = (
    "MANDARIN",  # 普通话
    "GUIZHOU_DIALECT",  # 贵州话
    "BOUYEI",  # 布依语
    "MIAO",  # 苗语
    "SHUI",  # 水语 (独山)
    "JIANGHUAI_MANDARIN",  # 江淮官话 (合肥, 铜陵)
    "JINAN_DIALECT",  # 济南话
    "JINGZHOU_DIALECT",  # 荆州话
    "CHINESE_SIGN_LANGUAGE",  # 中国手语
    "ENGLISH",
)
LANGUAGE_BIT = {code: i for i, code in enumerate(LANGUAGES)}

CATEGORIES: tuple[str, ...] = (
    "VULNERABLE_ASSISTANCE",
    "ELDER_CARE",
    "CHILD_CARE",
    "DISABILITY_REHAB",
    "COMMUNITY_GOVERNANCE",
    "EMERGENCY_RESPONSE",
)
URGENCIES: tuple[str, ...] = ("ROUTINE", "URGENT", "EMERGENCY")

# Local time of every deployment (all of China is UTC+8, no daylight saving).
UTC_OFFSET_HOURS = 8
