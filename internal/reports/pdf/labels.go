package pdf

// Chinese labels for the platform's enum values. An unknown value prints
// as itself rather than failing the report: a new enum value in the
// database should not stop the month's disclosure.

func label[K ~string](m map[K]string, k K) string {
	if s, ok := m[k]; ok {
		return s
	}
	return string(k)
}

// cleanEnum returns k unchanged if it has a label, and otherwise k cleaned
// for printing as itself (with a GlyphError for a character the font
// lacks), so that an unknown value cannot smuggle an unprintable character
// past the sanitizer.
func cleanEnum[K ~string](s *sanitizer, field string, m map[K]string, k K) K {
	if _, ok := m[k]; ok {
		return k
	}
	return K(s.clean(field, string(k), false))
}

var capacityLabels = map[Capacity]string{
	CapPreparer:       "经办人",
	CapAccountant:     "会计",
	CapCashier:        "出纳",
	CapSecretary:      "书记",
	CapCommittee:      "两委成员",
	CapSupervisor:     "监督委员会",
	CapGroupLeader:    "组长",
	CapRepresentative: "居民代表",
	CapOther:          "其他",
}

var directionLabels = map[Direction]string{Income: "收入", Expense: "支出"}

var meetingKindLabels = map[MeetingKind]string{
	PartyBranch:     "党组织会议",
	TwoCommittees:   "两委会议",
	PartyMembers:    "党员大会",
	Representatives: "居民代表会议",
	Deliberation:    "议事协商会议",
	OtherMeeting:    "其他会议",
}

var stageLabels = map[MatterStage]string{
	StageProposal:             "党组织提议",
	StageDeliberation:         "两委会议商议",
	StageReview:               "党员大会审议",
	StageResolution:           "居民代表会议决议",
	StageResolutionDisclosure: "决议公开",
	StageResultDisclosure:     "实施结果公开",
}

var outcomeLabels = map[MatterOutcome]string{
	OutcomePending:   "进行中",
	OutcomeResolved:  "已决议",
	OutcomeRejected:  "未通过",
	OutcomeCompleted: "已完成",
}

var contractKindLabels = map[ContractKind]string{
	Lease:        "租赁",
	Construction: "工程",
	Purchase:     "采购",
	Service:      "服务",
}

var procurementLabels = map[Procurement]string{
	PublicTender:           "公开招标",
	InvitedTender:          "邀请招标",
	CompetitiveNegotiation: "竞争性谈判",
	Direct:                 "直接签订",
}

var benefitLabels = map[BenefitKind]string{
	ElderInsurance: "高龄老人医保资助",
	ElderVisit:     "重阳节高龄老人慰问",
	IllnessAid:     "大病救助",
	FuneralReform:  "殡葬改革奖励",
	Scholarship:    "助学奖励",
	AngelFund:      "天使基金奖励",
	OtherBenefit:   "其他福利",
}

var inquiryLabels = map[InquiryStatus]string{
	InquiryOpen:     "待答复",
	InquiryOverdue:  "逾期未答复",
	InquiryAnswered: "已答复（逾期）",
}

var assetLabels = map[AssetCategory]string{
	Building:   "房屋建筑",
	Market:     "集贸市场",
	Parking:    "停车场",
	Land:       "土地使用权",
	Equipment:  "设备设施",
	School:     "学校",
	OtherAsset: "其他资产",
}
