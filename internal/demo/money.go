package demo

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"time"

	"sunlight/ent"
	"sunlight/ent/benefit"
	"sunlight/ent/contract"
	"sunlight/ent/signature"
	"sunlight/ent/signer"
	"sunlight/ent/voucher"
	"sunlight/internal/ledger"
	"sunlight/internal/ledger/signing"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/money"
)

func (l *loader) contracts(ctx context.Context, c *community) error {
	c.contracts = map[string]*ent.Contract{}
	rebuild, err := l.c.Contract.Create().SetCommunityID(c.ID).SetCode("GC-2021-001").
		SetKind(contract.KindCONSTRUCTION).SetTitle("阁子市菜市场改扩建工程施工合同").
		SetCounterparty("岳阳市恒建建设工程有限公司").SetAmount(MarketRebuild).
		SetSignedOn(calendar.Date(2021, 7, 5)).SetStartsOn(calendar.Date(2021, 7, 10)).SetEndsOn(calendar.Date(2022, 6, 30)).
		SetProcurement(contract.ProcurementPUBLIC_TENDER).SetStatus(contract.StatusCOMPLETED).
		SetMatterID(c.matters["rebuild"].ID).SetAssetID(c.assets["阁子市菜市场"].ID).Save(ctx)
	if err != nil {
		return err
	}
	c.contracts["rebuild"] = rebuild
	park, err := l.c.Contract.Create().SetCommunityID(c.ID).SetCode("FW-2019-001").
		SetKind(contract.KindSERVICE).SetTitle("龙山生态停车场委托经营合同").
		SetCounterparty("岳阳市畅行停车管理有限公司").SetAmount(money.Yuan(4_800_000)).SetMonthlyRent(money.Yuan(20_000)).
		SetSignedOn(calendar.Date(2019, 6, 20)).SetStartsOn(calendar.Date(2019, 7, 1)).SetEndsOn(calendar.Date(2039, 6, 30)).
		SetProcurement(contract.ProcurementCOMPETITIVE_NEGOTIATION).SetStatus(contract.StatusACTIVE).
		SetMatterID(c.matters["parklot"].ID).SetAssetID(c.assets["龙山生态停车场"].ID).Save(ctx)
	if err != nil {
		return err
	}
	c.contracts["park"] = park
	stalls, err := l.c.Stall.Query().Order(ent.Asc("number")).All(ctx)
	if err != nil {
		return err
	}
	var leases []*ent.ContractCreate
	for i, s := range stalls {
		if i%6 == 5 { // every sixth stall stands empty
			continue
		}
		c.rentRoll += s.MonthlyRent
		leases = append(leases, l.c.Contract.Create().SetCommunityID(c.ID).SetCode(fmt.Sprintf("ZL-2024-%03d", i+1)).
			SetKind(contract.KindLEASE).SetTitle("阁子市菜市场"+s.Number+"摊位租赁合同").
			SetCounterparty(personName(l.r)).SetAmount(s.MonthlyRent*36).SetMonthlyRent(s.MonthlyRent).
			SetSignedOn(calendar.Date(2023, 12, 20)).SetStartsOn(calendar.Date(2024, 1, 1)).SetEndsOn(calendar.Date(2026, 12, 31)).
			SetProcurement(contract.ProcurementPUBLIC_TENDER).SetStatus(contract.StatusACTIVE).
			SetMatterID(c.matters["leases"].ID).SetStallID(s.ID).SetAssetID(c.assets["阁子市菜市场"].ID))
	}
	return l.c.Contract.CreateBulk(leases...).Exec(ctx)
}

// voucher queues a voucher of the demo with its number in the month.
func (l *loader) voucher(c *community, day time.Time, dir voucher.Direction, cat string, amt money.Fen, summary, counterparty string) *ent.VoucherCreate {
	if c.seq == nil {
		c.seq = map[string]int{}
	}
	p := calendar.MonthOf(day).String()
	c.seq[p]++
	v := l.c.Voucher.Create().SetCommunityID(c.ID).SetNumber(fmt.Sprintf("%s-%03d", p, c.seq[p])).
		SetOccurredOn(day).SetDirection(dir).SetCategory(cat).SetAmount(amt).SetSummary(summary).
		SetCounterparty(counterparty)
	c.vouchers = append(c.vouchers, v)
	return v
}

// around returns base ± spread, in whole yuan.
func (l *loader) around(base, spread int64) money.Fen {
	return money.Yuan(base - spread + l.r.Int64N(2*spread+1))
}

// OctoberExpenses are the article's board for October 2026.
var OctoberExpenses = map[string]money.Fen{
	"办公经费":     money.Yuan(26_868),
	"集体公益福利支出": money.Yuan(36_360),
	"办公用品":     money.Yuan(1_160),
}

func (l *loader) vouchers(ctx context.Context, c *community) error {
	in, out := voucher.DirectionINCOME, voucher.DirectionEXPENSE
	elders60 := func(on time.Time) int {
		n := 0
		for _, r := range c.residents {
			if calendar.AgeOn(r.BirthDate, on) >= 60 && (r.MovedOutOn == nil || r.MovedOutOn.After(on)) {
				n++
			}
		}
		return n
	}
	for m := calendar.Month(2017, 5); !calendar.Month(2026, 11).Before(m); m = m.Next() {
		d := func(day int) time.Time { return calendar.Date(m.Year, m.Month, day) }
		rent := l.around(30_000, 3_000)
		if m.Year >= 2024 {
			rent = c.rentRoll
		}
		l.voucher(c, d(5), in, "租金收入", rent, m.Chinese()+"阁子市菜市场摊位租金", "摊位承租户")
		l.voucher(c, d(6), in, "市场管理费", l.around(10_000, 2_000), m.Chinese()+"郭镇大市场管理费", "郭镇大市场商户")
		if !m.Before(calendar.Month(2019, 7)) {
			l.voucher(c, d(6), in, "租金收入", money.Yuan(20_000), m.Chinese()+"龙山生态停车场经营收入", "岳阳市畅行停车管理有限公司").
				SetContractID(c.contracts["park"].ID)
		}
		if m.Month == 12 {
			l.voucher(c, d(20), in, "投资收益", l.around(60_000, 10_000), fmt.Sprintf("%d年度集体资金定期存款利息", m.Year), "岳阳农村商业银行")
		}
		if m == calendar.Month(2026, 10) {
			l.voucher(c, d(9), out, "办公经费", money.Yuan(26_868), "社区10月办公经费（水电、网络、会议、宣传栏更新）", "社区居委会")
			l.voucher(c, d(12), out, "办公用品", money.Yuan(680), "打印纸、墨盒", "岳阳市文化办公用品店")
			l.voucher(c, d(26), out, "办公用品", money.Yuan(480), "档案盒、文件柜标签", "岳阳市文化办公用品店")
			continue // the welfare of October 2026 is paid as benefits (benefitsOct2026)
		}
		l.voucher(c, d(10), out, "办公经费", l.around(13_000, 3_000), m.Chinese()+"社区办公经费", "社区居委会")
		l.voucher(c, d(12), out, "办公用品", l.around(900, 400), m.Chinese()+"办公用品", "岳阳市文化办公用品店")
		l.voucher(c, d(15), out, "人员报酬", l.around(24_000, 2_000), m.Chinese()+"社区工作人员报酬", "社区工作人员")
		if m.Month%3 == 0 {
			l.voucher(c, d(18), out, "维修", l.around(6_000, 4_000), m.Chinese()+"集体房屋及设施维修", "岳阳市安居维修队")
		}
		if m.Month == 1 {
			n := elders60(d(1))
			l.voucher(c, d(20), out, "集体公益福利支出", money.Yuan(int64(380*n)), fmt.Sprintf("为%d名60周岁以上居民购买%d年医疗保险", n, m.Year), "岳阳市医疗保障局")
		}
		if m.Month == 9 || m.Month == 10 {
			l.voucher(c, d(25), out, "集体公益福利支出", l.around(15_000, 5_000), m.Chinese()+"重阳节慰问及困难救助", "受助居民")
		}
		if m.Year == 2021 && m.Month >= 7 || m.Year == 2022 && m.Month <= 6 {
			l.voucher(c, d(25), out, "工程支出", MarketRebuild/12, m.Chinese()+"阁子市菜市场改扩建工程进度款", "岳阳市恒建建设工程有限公司").
				SetContractID(c.contracts["rebuild"].ID)
		}
	}
	return nil
}

// benefitsOct2026 pays October 2026's welfare as benefits through vouchers:
// 重阳节 visits to the 36 residents aged 80+, illness aid, a funeral-reform
// award and scholarships, together 集体公益福利支出 36,360.00.
func (l *loader) benefitsOct2026(ctx context.Context, c *community) error {
	out := voucher.DirectionEXPENSE
	type pay struct {
		kind   benefit.Kind
		each   money.Fen
		people []*ent.Resident
		day    time.Time
		text   string
	}
	var elders []*ent.Resident
	for _, r := range c.residents {
		if calendar.AgeOn(r.BirthDate, Chongyang2026) >= 80 && r.MovedOutOn == nil {
			elders = append(elders, r)
		}
	}
	if len(elders) != Elders80 {
		return fmt.Errorf("demo has %d residents aged 80+, want %d", len(elders), Elders80)
	}
	pays := []pay{
		{benefit.KindELDER_VISIT, money.Yuan(510), elders, Chongyang2026, "重阳节慰问80岁以上老人"},
		{benefit.KindILLNESS_AID, money.Yuan(5_000), c.residents[150:152], calendar.Date(2026, 10, 20), "大病重病居民现金补助"},
		{benefit.KindFUNERAL_REFORM, money.Yuan(2_000), c.residents[160:161], calendar.Date(2026, 10, 22), "殡葬改革奖励"},
		{benefit.KindSCHOLARSHIP, money.Yuan(3_000), c.residents[200:202], calendar.Date(2026, 10, 24), "考取二本以上学子奖学金"},
	}
	for _, p := range pays {
		total := p.each * money.Fen(len(p.people))
		v, err := l.voucher(c, p.day, out, "集体公益福利支出", total, fmt.Sprintf("%s（%d人）", p.text, len(p.people)), "受助居民").Save(ctx)
		if err != nil {
			return err
		}
		c.vouchers = c.vouchers[:len(c.vouchers)-1] // saved already
		if err := l.sign(ctx, c, []*ent.Voucher{v}, p.day); err != nil {
			return err
		}
		var bs []*ent.BenefitCreate
		for _, r := range p.people {
			bs = append(bs, l.c.Benefit.Create().SetCommunityID(c.ID).SetResidentID(r.ID).SetKind(p.kind).
				SetAmount(p.each).SetPaidOn(p.day).SetVoucherID(v.ID))
		}
		if err := l.c.Benefit.CreateBulk(bs...).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// signers are the nine people who sign every demo voucher (invented names).
var signers = []struct {
	name string
	role signature.Role
}{
	{"周建华", signature.RolePREPARER}, {"陈丽萍", signature.RoleACCOUNTANT}, {"刘芳", signature.RoleCASHIER},
	{"罗国强", signature.RoleSECRETARY}, {"彭志刚", signature.RoleCOMMITTEE}, {"易小红", signature.RoleCOMMITTEE},
	{"许德胜", signature.RoleSUPERVISOR}, {"任秋菊", signature.RoleSUPERVISOR}, {"胡长青", signature.RoleGROUP_LEADER},
}

// SignerKey is the demo's key of signer name of the community code: seeded
// from the names, so every load makes the same keys and signatures, and a
// test or a reader of the README can sign as a demo signer. A demo, not a
// secret: real signers make their keys on their own devices.
func SignerKey(communityCode, name string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("sunlight demo signer/" + communityCode + "/" + name))
	return ed25519.NewKeyFromSeed(seed[:])
}

// DemoSignersFrom is the day the demo's signers took office.
var DemoSignersFrom = calendar.Date(2017, 4, 1)

// enrol registers the nine signers of c with their demo keys.
func (l *loader) enrol(ctx context.Context, c *community) error {
	if c.signers != nil {
		return nil
	}
	for _, s := range signers {
		key := SignerKey(c.Code, s.name)
		e, err := l.c.Signer.Create().SetCommunityID(c.ID).SetName(s.name).SetCapacity(signer.Capacity(s.role)).
			SetValidFrom(DemoSignersFrom).SetPublicKey(signing.Encode(key.Public().(ed25519.PublicKey))).
			SetKeyRegisteredAt(at(DemoSignersFrom)).Save(ctx)
		if err != nil {
			return fmt.Errorf("enrol signer %s: %w", s.name, err)
		}
		c.signers = append(c.signers, demoSigner{e, key})
	}
	return nil
}

type demoSigner struct {
	*ent.Signer
	key ed25519.PrivateKey
}

// signature is s's signature of v, as the signer's device makes it.
func (s demoSigner) signature(c *community, v *ent.Voucher) (string, error) {
	if v.ReversesID != nil {
		return "", fmt.Errorf("the demo signs no reversals")
	}
	payload, err := signing.Payload(ledger.SignedVoucher(v, c.Code, "", string(s.Capacity)), signing.Version)
	if err != nil {
		return "", err
	}
	return signing.Encode(ed25519.Sign(s.key, payload)), nil
}

// sign puts the nine signers' signatures on vs; the rules verify each.
func (l *loader) sign(ctx context.Context, c *community, vs []*ent.Voucher, day time.Time) error {
	if err := l.enrol(ctx, c); err != nil {
		return err
	}
	var sigs []*ent.SignatureCreate
	for _, v := range vs {
		for k, s := range c.signers {
			sig, err := s.signature(c, v)
			if err != nil {
				return err
			}
			sigs = append(sigs, l.c.Signature.Create().SetCommunityID(c.ID).SetVoucherID(v.ID).
				SetSignerID(s.ID).SetEd25519Signature(sig).SetSignedAt(at(day).Add(time.Duration(k)*10*time.Minute)))
		}
	}
	// The loader's signers do not change while it signs: the checks share
	// their reads of them (each signature is still verified).
	shared := ledger.WithSharedLookups(ctx)
	for len(sigs) > 0 {
		n := min(len(sigs), 500)
		if err := l.c.Signature.CreateBulk(sigs[:n]...).Exec(shared); err != nil {
			return err
		}
		sigs = sigs[n:]
	}
	return nil
}

// post saves the queued vouchers, signs them with nine signatures and posts
// every voucher dated up to 20 November 2026 through the ledger's rules;
// two November vouchers stay in draft and in signing to show the lifecycle.
func (l *loader) post(ctx context.Context, c *community) error {
	var saved []*ent.Voucher
	for len(c.vouchers) > 0 {
		n := min(len(c.vouchers), 400)
		vs, err := l.c.Voucher.CreateBulk(c.vouchers[:n]...).Save(ctx)
		if err != nil {
			return fmt.Errorf("save vouchers: %w", err)
		}
		saved = append(saved, vs...)
		c.vouchers = c.vouchers[n:]
	}
	var toSign []*ent.Voucher
	for _, v := range saved {
		if v.OccurredOn.Before(calendar.Date(2026, 11, 16)) {
			toSign = append(toSign, v)
		}
	}
	if err := l.sign(ctx, c, toSign, calendar.Date(2026, 1, 1)); err != nil {
		return err
	}
	if err := l.postMonths(ctx, c.ID, calendar.Month(2017, 5), calendar.Month(2026, 11)); err != nil {
		return err
	}
	day := calendar.Date(2026, 11, 24)
	draft := l.voucher(c, day, voucher.DirectionEXPENSE, "维修", money.Yuan(3_200), "老年服务中心空调维修", "岳阳市安居维修队")
	if _, err := draft.Save(ctx); err != nil {
		return err
	}
	inSigning, err := l.voucher(c, day, voucher.DirectionEXPENSE, "办公用品", money.Yuan(560), "会议室桌椅", "岳阳市文化办公用品店").Save(ctx)
	if err != nil {
		return err
	}
	c.vouchers = nil
	for _, s := range c.signers[:5] {
		sig, err := s.signature(c, inSigning)
		if err != nil {
			return err
		}
		if _, err := ledger.Sign(ctx, l.c, inSigning.ID, s.ID, sig, at(day)); err != nil {
			return err
		}
	}
	_, err = ledger.CloseMonth(ctx, l.c, c.ID, ClosedThrough, calendar.StartOf(Today))
	return err
}

// postMonths posts each month's signed vouchers, three days after its end.
func (l *loader) postMonths(ctx context.Context, communityID int, from, to calendar.Period) error {
	for m := from; !to.Before(m); m = m.Next() {
		err := l.c.Voucher.Update().Where(
			voucher.CommunityID(communityID), voucher.Period(m.String()),
			voucher.HasSignatures(),
		).SetStatus(voucher.StatusPOSTED).SetPostedAt(postedAt(m)).Exec(ctx)
		if err != nil {
			return fmt.Errorf("post %s: %w", m, err)
		}
	}
	return nil
}

// postedAt is three days after the month's end, or today for this month.
func postedAt(m calendar.Period) time.Time {
	d := m.End().AddDate(0, 0, 3)
	if d.After(Today) {
		d = Today
	}
	return calendar.StartOf(d).Add(10 * time.Hour)
}
