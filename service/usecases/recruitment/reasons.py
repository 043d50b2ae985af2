"""The reasons an application is refused, in English: an application keeps its reasons as the Chinese text
the eligibility decision (bpmn/recruitment/eligibility.dmn), the vetting (the policy's disqualifiers) or the
ranking gave it; lists in English show them through this table (tests/api/test_application_list.py checks
that every reason of the decision is here)."""

from __future__ import annotations

from service.usecases.dismissal_records import refusal_reason_en
from workflows.rules.eligibility import DISQUALIFIERS

SCREENING_REASONS_EN = {
    "年龄未满18周岁": "Under 18 years of age",
    "年龄超过40周岁": "Over 40 years of age",
    "年龄超过30周岁，且无应聘职位相关工作经验、特长、专业技能或部队服役经历": (
        "Over 30 years of age without related work experience, special or professional skills or military "
        "service"
    ),
    "不具有中华人民共和国国籍": "Not a national of the People's Republic of China",
    "不具有威海市常住户口": "No permanent residence (hukou) in Weihai",
    "不具有高中以上文化程度": "Education below high school",
    "有重大身心疾病或生理缺陷": "Serious physical or mental illness or disability",
    "不符合拥护宪法、遵守法律法规、品行端正的要求": (
        "Does not meet the requirement of upholding the Constitution, obeying the law and good conduct"
    ),
    "不具备招聘职位所要求的其他资格条件": "Does not meet the post's other requirements",
    "本人或家庭成员、近亲属参加非法组织、邪教或危害国家安全活动，或参与、组织、煽动集体上访、非正常访": (
        "Self or family in illegal organisations, cults or anti-state activity, or irregular petitions"
    ),
    "家庭成员或近亲属被判处刑罚、正在服刑或正在接受调查": (
        "Family or close relative sentenced, serving a sentence or under investigation"
    ),
    "受过刑事处罚或涉嫌违法犯罪尚未查清": "Criminal record or unresolved suspicion of an offence",
    "曾编造、散布有损国家声誉、反对党的理论和路线方针政策、违反国家法律法规的信息": (
        "Fabricated or spread information harmful to the state or unlawful"
    ),
    "曾因吸毒、嫖娼、赌博受到处罚": "Punished for drugs, prostitution or gambling",
    "曾被行政拘留、司法拘留或收容教育": "Administrative or judicial detention, or custody education",
    "曾被吊销律师、公证员执业证书": "Lawyer's or notary's licence revoked",
    "曾被开除公职、开除军籍，或因违规违纪被开除、辞退、解除劳动关系或退回劳务派遣单位": (
        "Dismissed from public office or the army, or fired or returned for misconduct"
    ),
    "从事警务辅助工作合同期未满擅自离职": "Left an auxiliary-police contract early without permission",
    "有较为严重的个人不良信用记录": "Serious personal bad credit record",
    "有6个月及以上非公派国（境）外留学或生活工作经历": "Six months or more abroad not on official business",
    "有其他法律法规规定不得聘用的情形": "Other bar to hiring under laws and regulations",
    "未参加考试或无考试成绩": "Did not sit the examination or has no score",
}
REASONS_EN = SCREENING_REASONS_EN | {zh: en for _code, zh, en in DISQUALIFIERS}


def reason_en(reason: str) -> str:
    """The reason in English; one this table does not know yet stays as it was written."""
    return REASONS_EN.get(reason) or refusal_reason_en(reason) or reason
