package pdf

import (
	"fmt"
	"time"

	"sunlight/internal/vocab/money"
)

var gezishi = Community{Name: "阁子市社区", Code: "gezishi", SubDistrict: "龙山管理处", District: "南湖新区"}

func yuan(s string) money.Fen {
	f, err := money.Parse(s)
	if err != nil {
		panic(err)
	}
	return f
}

// octoberFixture is the October 2026 disclosure of 阁子市社区, with the
// figures of the article's disclosure board (办公经费 26,868.00, 集体公益福利支出
// 36,360.00, 办公用品 1,160.00) and enough vouchers for the voucher table to
// run over several pages.
func octoberFixture() *Monthly {
	m := &Monthly{
		Community:   gezishi,
		Year:        2026,
		Month:       time.October,
		Number:      "gezishi-2026-10",
		PublishedOn: Date(2026, time.November, 1),
		Income: []CategoryAmount{
			{"租金收入", yuan("186400.00"), yuan("1864000.00")},
			{"市场管理费", yuan("42300.00"), yuan("418650.00")},
			{"投资收益", 0, yuan("320000.00")},
			{"补助收入", yuan("15000.00"), yuan("95000.00")},
		},
		Expense: []CategoryAmount{
			{"办公经费", yuan("26868.00"), yuan("251337.50")},
			{"集体公益福利支出", yuan("36360.00"), yuan("402180.00")},
			{"办公用品", yuan("1160.00"), yuan("12845.30")},
			{"维修", yuan("8650.00"), yuan("64210.00")},
			{"人员报酬", yuan("52000.00"), yuan("520000.00")},
		},
		TotalAssets: yuan("108652340.00"),
		PrevSHA256:  "9f2c4e1ab37d5c08e6f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7",
		Meetings: Meetings{
			DeliberationMeetings: 9, ProjectsDecided: 5, NeedsResolved: 4,
			Held: []Meeting{
				{Date(2026, 10, 9), TwoCommittees, "研究重阳节高龄老人慰问方案", 9, 9, 9, 0, 0},
				{Date(2026, 10, 15), Deliberation, "清廉议事会：龙山生态停车场收费标准调整（第二次协商）", 35, 31, 28, 1, 2},
				{Date(2026, 10, 22), Representatives, "居民代表会议：老年服务中心主楼外墙维修项目决议", 41, 37, 36, 0, 1},
				{Date(2026, 10, 28), PartyBranch, "十月党支部主题党日", 46, 43, 0, 0, 0},
			},
			Matters: []MatterStep{
				{Date(2026, 10, 22), "老年服务中心主楼外墙维修", StageResolution, OutcomeResolved},
				{Date(2026, 10, 25), "老年服务中心主楼外墙维修", StageResolutionDisclosure, OutcomeResolved},
				{Date(2026, 10, 30), "阁子市菜市场二楼摊位招租", StageResultDisclosure, OutcomeCompleted},
			},
		},
		Contracts: []Contract{
			{Code: "HT-2021-007", Title: "阁子市菜市场改造工程施工合同", Counterparty: "岳阳市南湖建设工程有限公司",
				Kind: Construction, Procurement: PublicTender, Amount: yuan("12680000.00"),
				SignedOn: Date(2021, 7, 2), StartsOn: Date(2021, 7, 5), EndsOn: Date(2027, 7, 4)},
			{Code: "HT-2024-031", Title: "郭镇大市场3号门面租赁", Counterparty: "张三春", CounterpartyIsPerson: true,
				Kind: Lease, Procurement: CompetitiveNegotiation, Amount: yuan("86400.00"),
				SignedOn: Date(2024, 1, 1), StartsOn: Date(2024, 1, 1), EndsOn: Date(2026, 12, 31)},
			{Code: "HT-2026-044", Title: "老年服务中心主楼外墙维修", Counterparty: "湖南龙山建筑劳务有限公司",
				Kind: Construction, Procurement: InvitedTender, Amount: yuan("238000.00"),
				SignedOn: Date(2026, 10, 27), StartsOn: Date(2026, 11, 3), EndsOn: Date(2027, 1, 31)},
			{Code: "HT-2026-045", Title: "龙山生态停车场保洁服务", Counterparty: "岳阳洁美物业服务有限公司",
				Kind: Service, Procurement: Direct, Amount: yuan("36000.00"),
				SignedOn: Date(2026, 10, 8), StartsOn: Date(2026, 10, 8)},
		},
		Benefits: []BenefitLine{
			{ElderInsurance, 312, yuan("18720.00")},
			{ElderVisit, 47, yuan("9400.00")},
			{IllnessAid, 3, yuan("15000.00")},
			{Scholarship, 6, yuan("6000.00")},
		},
		Inquiries: []Inquiry{
			{Date(2026, 10, 12), "李建国", "办公经费", "十月办公经费比九月增加较多，请公布明细。", InquiryOpen},
			{Date(2026, 9, 3), "王秀英", "记-2026-08-017", "八月份菜市场排水沟维修是否经过询价？施工单位是哪家？请在公开栏说明，并附验收记录。", InquiryOverdue},
		},
	}
	// The article's three expense lines are vouchers of their own; the
	// rest are ordinary vouchers of a busy month.
	m.Vouchers = append(m.Vouchers,
		Voucher{Date(2026, 10, 8), "记-2026-10-001", "十月办公经费（水电、通讯、差旅）", Expense, "办公经费", yuan("26868.00"), 11, nil},
		Voucher{Date(2026, 10, 18), "记-2026-10-002", "重阳节慰问八十岁以上老人及集体公益福利", Expense, "集体公益福利支出", yuan("36360.00"), 12, nil},
		Voucher{Date(2026, 10, 20), "记-2026-10-003", "办公用品采购（打印纸、墨盒）", Expense, "办公用品", yuan("1160.00"), 9, nil},
	)
	summaries := []struct {
		s   string
		dir Direction
		cat string
	}{
		{"郭镇大市场门面租金", Income, "租金收入"},
		{"阁子市菜市场摊位租金", Income, "租金收入"},
		{"菜市场管理费（十月）", Income, "市场管理费"},
		{"龙山生态停车场收费", Income, "租金收入"},
		{"路灯及公共区域照明维修", Expense, "维修"},
		{"社区工作人员十月报酬", Expense, "人员报酬"},
		{"保洁员工资 (Oct. payroll, part-time cleaners)", Expense, "人员报酬"},
	}
	for i := 4; i <= 66; i++ {
		s := summaries[i%len(summaries)]
		day := 1 + (i*7)%30
		amount := money.Fen(int64(i)*123457%5_000_000 + 10_000)
		m.Vouchers = append(m.Vouchers, Voucher{
			Date: Date(2026, 10, day), Number: fmt.Sprintf("记-2026-10-%03d", i),
			Summary: s.s, Direction: s.dir, Category: s.cat, Amount: amount, Signatures: 9 + i%4,
		})
	}
	return m
}

func yearlyFixture() *Yearly {
	totals := []string{"38650000.00", "41200000.00", "45875000.00", "52310000.00", "68900000.00",
		"74120000.00", "81600000.00", "93450000.00", "101280000.00", "108652340.00"}
	y := &Yearly{
		Community:   gezishi,
		Year:        2026,
		Number:      "gezishi-2026",
		PublishedOn: Date(2027, time.January, 1),
		PrevSHA256:  "0c1d2e3f405162738495a6b7c8d9eaf00112233445566778899aabbccddeeff0",
		Categories: []AssetCategoryTotal{
			{Building, 4, yuan("46320000.00")},
			{Market, 3, yuan("38900000.00")},
			{School, 1, yuan("12400000.00")},
			{Parking, 1, yuan("8650000.00")},
			{Equipment, 27, yuan("2382340.00")},
		},
		Income: []CategoryTotal{
			{"租金收入", yuan("2236800.00")}, {"市场管理费", yuan("507600.00")},
			{"投资收益", yuan("320000.00")}, {"补助收入", yuan("110000.00")},
		},
		Expense: []CategoryTotal{
			{"办公经费", yuan("302004.00")}, {"集体公益福利支出", yuan("448520.00")},
			{"办公用品", yuan("15210.00")}, {"工程支出", yuan("238000.00")},
			{"维修", yuan("80210.00")}, {"人员报酬", yuan("624000.00")},
		},
		Benefits: []BenefitLine{
			{ElderInsurance, 312, yuan("224640.00")}, {ElderVisit, 47, yuan("9400.00")},
			{IllnessAid, 8, yuan("52000.00")}, {FuneralReform, 5, yuan("15000.00")},
			{Scholarship, 14, yuan("21000.00")}, {AngelFund, 2, yuan("40000.00")},
		},
		Milestones: []Milestone{
			{Date(2017, 4, 20), "郭镇大队撤村建居，成立阁子市社区。"},
			{Date(2021, 6, 18), "召开清廉议事会，阁子市菜市场改造经十次民主决策会议通过，公开招标选定施工单位。"},
			{Date(2021, 7, 5), "阁子市菜市场改造工程开工。"},
		},
	}
	for i, t := range totals {
		y.YearEnds = append(y.YearEnds, YearEnd{2017 + i, yuan(t)})
	}
	return y
}
