// Package demo loads Sunlight's demo data: 阁子市社区 of the article (its
// nine assets, ten years of vouchers with nine signatures each, the 2021
// market rebuild decided through 四议两公开, the 2026 governance figures,
// benefits, residents and points) and three invented neighbours in the same
// district for comparison. It is deterministic: the same rows every run.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"sunlight/ent"
	"sunlight/ent/asset"
	"sunlight/ent/resident"
	"sunlight/internal/access/audit"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/civic"
	"sunlight/internal/vocab/money"
)

// Code is the demo community of the article.
const Code = "gezishi"

// Today is the demo's "now": the data runs up to here.
var Today = calendar.Date(2026, time.November, 25)

// ClosedThrough is the last month the demo's books are closed for: October
// 2026 is open until its disclosure is published.
var ClosedThrough = calendar.Month(2026, time.September)

// LoadIfEmpty loads the demo unless the database already has communities.
func LoadIfEmpty(ctx context.Context, client *ent.Client) (bool, error) {
	n, err := client.Community.Query().Count(ctx)
	if err != nil {
		return false, fmt.Errorf("count communities: %w", err)
	}
	if n > 0 {
		return false, nil
	}
	return true, Load(ctx, client)
}

// Load writes the demo data in one transaction.
func Load(ctx context.Context, client *ent.Client) error {
	ctx = audit.WithoutTrail(audit.WithActor(ctx, "demo"))
	tx, err := client.Tx(ctx)
	if err != nil {
		return fmt.Errorf("begin demo load: %w", err)
	}
	l := &loader{c: tx.Client(), r: rand.New(rand.NewPCG(2017, 4))}
	if err := l.load(ctx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit demo data: %w", err)
	}
	return nil
}

type loader struct {
	c *ent.Client
	r *rand.Rand
}

func (l *loader) load(ctx context.Context) error {
	g, err := l.c.Community.Create().
		SetName("阁子市社区").SetCode(Code).SetSubDistrict("龙山管理处").SetDistrict("南湖新区").
		SetEstablishedOn(calendar.Date(2017, time.April, 1)).SetPredecessor("岳阳县麻塘区郭镇公社郭镇大队").
		Save(ctx)
	if err != nil {
		return fmt.Errorf("demo community: %w", err)
	}
	c := &community{Community: g}
	steps := []struct {
		name string
		fn   func(context.Context, *community) error
	}{
		{"assets", l.assets},
		{"residents", l.residents},
		{"governance", l.governance},
		{"contracts", l.contracts},
		{"vouchers", l.vouchers},
		{"benefits", l.benefitsOct2026},
		{"inquiries", l.inquiries},
	}
	for _, s := range steps {
		if err := s.fn(ctx, c); err != nil {
			return fmt.Errorf("demo %s: %w", s.name, err)
		}
	}
	if err := l.post(ctx, c); err != nil {
		return err
	}
	for _, n := range neighbours {
		if err := l.neighbour(ctx, n); err != nil {
			return fmt.Errorf("demo neighbour %s: %w", n.code, err)
		}
	}
	return nil
}

// community carries what later steps of the load refer back to.
type community struct {
	*ent.Community
	assets    map[string]*ent.Asset
	residents []*ent.Resident
	matters   map[string]*ent.Matter
	contracts map[string]*ent.Contract
	rentRoll  money.Fen // monthly rent of the leased stalls
	vouchers  []*ent.VoucherCreate
	benefits  []*ent.BenefitCreate
	seq       map[string]int // voucher numbers per month
	signers   []demoSigner   // enrolled with their demo keys
}

// assetSeed is one asset of the article with its 2017 year-end value.
type assetSeed struct {
	name     string
	cat      asset.Category
	acquired time.Time
	how      asset.Acquisition
	original money.Fen
	value17  money.Fen // 0: acquired later
	growth   int64     // per-mille growth per year
	location string
	life     int
}

var gezishiAssets = []assetSeed{
	{"老村部服务楼", asset.CategoryBUILDING, calendar.Date(1996, 5, 1), asset.AcquisitionCONSTRUCTION, money.Yuan(1_200_000), money.Yuan(3_800_000), 52, "阁子市社区老村部", 40},
	{"学校", asset.CategorySCHOOL, calendar.Date(1998, 8, 1), asset.AcquisitionCONSTRUCTION, money.Yuan(2_600_000), money.Yuan(6_200_000), 55, "郭镇路", 50},
	{"学校教师家属楼", asset.CategoryBUILDING, calendar.Date(2001, 9, 1), asset.AcquisitionCONSTRUCTION, money.Yuan(3_100_000), money.Yuan(7_400_000), 58, "郭镇路学校东侧", 50},
	{"郭镇大市场", asset.CategoryMARKET, calendar.Date(2004, 3, 1), asset.AcquisitionCONSTRUCTION, money.Yuan(6_800_000), money.Yuan(12_600_000), 61, "郭镇大道", 40},
	{"郭镇菜市场", asset.CategoryMARKET, calendar.Date(2005, 6, 1), asset.AcquisitionCONSTRUCTION, money.Yuan(2_900_000), money.Yuan(5_300_000), 57, "郭镇大道北段", 30},
	{"阁子市菜市场", asset.CategoryMARKET, calendar.Date(2007, 5, 1), asset.AcquisitionCONSTRUCTION, money.Yuan(4_500_000), money.Yuan(7_900_000), 60, "阁子市路", 30},
	{"社区新办公楼", asset.CategoryBUILDING, calendar.Date(2012, 10, 1), asset.AcquisitionCONSTRUCTION, money.Yuan(8_800_000), money.Yuan(10_900_000), 55, "龙山路", 50},
	{"老年服务中心主楼", asset.CategoryBUILDING, calendar.Date(2015, 11, 1), asset.AcquisitionCONSTRUCTION, money.Yuan(6_500_000), money.Yuan(7_200_000), 56, "龙山路南", 50},
	{"龙山生态停车场", asset.CategoryPARKING, calendar.Date(2019, 6, 1), asset.AcquisitionCONSTRUCTION, money.Yuan(5_600_000), 0, 48, "龙山大道", 20},
}

// MarketRebuild is what the 2021 rebuild added to 阁子市菜市场's value.
const MarketRebuild = money.Fen(8_600_000 * 100)

func (l *loader) assets(ctx context.Context, c *community) error {
	c.assets = map[string]*ent.Asset{}
	var vals []*ent.AssetValuationCreate
	for _, s := range gezishiAssets {
		a, err := l.c.Asset.Create().SetCommunityID(c.ID).SetName(s.name).SetCategory(s.cat).
			SetLocation(s.location).SetAcquiredOn(s.acquired).SetAcquisition(s.how).
			SetOriginalValue(s.original).SetUsefulLifeYears(s.life).SetCustodian("社区居委会").
			SetStatus(asset.StatusIN_USE).Save(ctx)
		if err != nil {
			return err
		}
		c.assets[s.name] = a
		v := s.value17
		for y := 2017; y <= 2025; y++ {
			switch {
			case s.value17 == 0 && y < s.acquired.Year():
				continue
			case s.value17 == 0 && y == s.acquired.Year():
				v = s.original
			case y > 2017:
				v += v * money.Fen(s.growth) / 1000
			}
			if s.name == "阁子市菜市场" && y == 2021 {
				v += MarketRebuild
			}
			v = v / 100 * 100 // whole yuan, as an inventory states them
			vals = append(vals, l.c.AssetValuation.Create().SetCommunityID(c.ID).SetAssetID(a.ID).
				SetAsOf(calendar.Date(y, 12, 31)).SetValue(v).SetNote(fmt.Sprintf("%d年末资产清查", y)))
		}
	}
	if err := l.c.AssetValuation.CreateBulk(vals...).Exec(ctx); err != nil {
		return err
	}
	m, err := l.c.Market.Create().SetCommunityID(c.ID).SetName("阁子市菜市场").
		SetOpenedOn(calendar.Date(2007, 5, 1)).SetRebuiltOn(calendar.Date(2021, 7, 1)).
		SetAreaM2(5200).SetAssetID(c.assets["阁子市菜市场"].ID).Save(ctx)
	if err != nil {
		return err
	}
	for _, name := range []string{"郭镇大市场", "郭镇菜市场"} {
		if err := l.c.Market.Create().SetCommunityID(c.ID).SetName(name).
			SetOpenedOn(c.assets[name].AcquiredOn).SetAreaM2(3000).SetAssetID(c.assets[name].ID).Exec(ctx); err != nil {
			return err
		}
	}
	var stalls []*ent.StallCreate
	for _, row := range []string{"A", "B"} {
		for i := 1; i <= 24; i++ {
			rent := money.Yuan(int64(800 + 50*((i*7)%15)))
			stalls = append(stalls, l.c.Stall.Create().SetCommunityID(c.ID).SetMarketID(m.ID).
				SetNumber(fmt.Sprintf("%s-%02d", row, i)).SetAreaM2(float64(8+i%5)).SetMonthlyRent(rent))
		}
	}
	return l.c.Stall.CreateBulk(stalls...).Exec(ctx)
}

// Elders80 is how many residents of the demo are 80 or older on the 2026
// 重阳节 (18 October 2026), each visited with 510 yuan.
const Elders80 = 36

// Chongyang2026 is the day of the 2026 重阳节 visits.
var Chongyang2026 = calendar.Date(2026, time.October, 18)

func (l *loader) residents(ctx context.Context, c *community) error {
	groups := make([]*ent.ResidentGroup, 8)
	for i := range groups {
		g, err := l.c.ResidentGroup.Create().SetCommunityID(c.ID).
			SetName(fmt.Sprintf("第%s居民小组", []string{"一", "二", "三", "四", "五", "六", "七", "八"}[i])).Save(ctx)
		if err != nil {
			return err
		}
		groups[i] = g
	}
	const n = 320
	var bulk []*ent.ResidentCreate
	for i := 0; i < n; i++ {
		var birth time.Time
		switch {
		case i < Elders80: // 80 or older on 2026-10-18
			birth = calendar.Date(1930+i%16, time.Month(1+i%9), 1+i%28)
		case i < 110: // 60 to 79
			birth = calendar.Date(1947+(i-Elders80)%19, time.Month(1+i%12), 1+i%28)
		default:
			birth = calendar.Date(1967+(i-110)%50, time.Month(1+i%12), 1+i%28)
		}
		female := l.r.IntN(2) == 0
		g := resident.GenderMALE
		if female {
			g = resident.GenderFEMALE
		}
		var roles []civic.Role
		switch {
		case i >= 40 && i < 100:
			roles = append(roles, civic.PartyMember)
		}
		switch {
		case i >= 80 && i < 115:
			roles = append(roles, civic.Representative)
		case i >= 115 && i < 122:
			roles = append(roles, civic.Committee, civic.PartyMember)
		case i >= 122 && i < 127:
			roles = append(roles, civic.Supervisor)
		}
		rc := l.c.Resident.Create().SetCommunityID(c.ID).SetName(personName(l.r)).SetGender(g).
			SetBirthDate(birth).SetIDNumber(idNumber(birth, i, female)).SetPhone(phone(l.r)).
			SetGroupID(groups[i%len(groups)].ID).SetRoles(roles)
		if i >= 300 && i < 305 {
			rc.SetMovedOutOn(calendar.Date(2024, time.Month(i-299), 15))
		}
		bulk = append(bulk, rc)
	}
	rs, err := l.c.Resident.CreateBulk(bulk...).Save(ctx)
	if err != nil {
		return err
	}
	c.residents = rs
	for i, g := range groups {
		leader := rs[130+i]
		if err := l.c.ResidentGroup.UpdateOne(g).SetLeaderID(leader.ID).Exec(ctx); err != nil {
			return err
		}
		if err := l.c.Resident.UpdateOne(leader).SetRoles(append(leader.Roles, civic.GroupLeader)).Exec(ctx); err != nil {
			return err
		}
	}
	reasons := []struct {
		text   string
		points int
	}{{"志愿服务", 10}, {"房前屋后整洁", 5}, {"参加议事协商会议", 3}, {"垃圾分类示范户", 8}, {"乱贴小广告", -5}, {"乱扔白色垃圾", -3}}
	var events []*ent.PointEventCreate
	for i := 0; i < 900; i++ {
		r := rs[l.r.IntN(300)]
		why := reasons[l.r.IntN(len(reasons))]
		day := calendar.Date(2025, 1, 1).AddDate(0, 0, l.r.IntN(690))
		events = append(events, l.c.PointEvent.Create().SetCommunityID(c.ID).SetResidentID(r.ID).
			SetOccurredOn(day).SetPoints(why.points).SetReason(why.text))
	}
	return l.c.PointEvent.CreateBulk(events...).Exec(ctx)
}
