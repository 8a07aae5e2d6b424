package demo

import (
	"context"
	"fmt"
	"time"

	"sunlight/ent"
	"sunlight/ent/asset"
	"sunlight/ent/voucher"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/money"
)

func (l *loader) inquiries(ctx context.Context, c *community) error {
	r := c.residents
	return l.c.Inquiry.CreateBulk(
		l.c.Inquiry.Create().SetCommunityID(c.ID).SetResidentID(r[90].ID).SetReportLine("办公经费").
			SetAskedOn(calendar.Date(2026, 10, 8)).SetQuestion("9月办公经费比8月多，主要花在哪里？").
			SetAnswer("9月办公经费含宣传栏更新和防汛物资，明细已在公开栏补充公示。").
			SetAnsweredOn(calendar.Date(2026, 10, 12)).SetAnsweredBy("社区居委会"),
		l.c.Inquiry.Create().SetCommunityID(c.ID).SetResidentID(r[95].ID).SetReportLine("集体公益福利支出").
			SetAskedOn(calendar.Date(2026, 11, 5)).SetQuestion("重阳节慰问名单是否包含10月迁入的老人？"),
		l.c.Inquiry.Create().SetCommunityID(c.ID).SetResidentID(r[101].ID).SetReportLine("租金收入").
			SetAskedOn(calendar.Date(2026, 11, 20)).SetQuestion("菜市场空置摊位什么时候重新招租？"),
	).Exec(ctx)
}

type neighbourSeed struct {
	code, name, sub string
	scale           int64 // relative size in per-cent of the demo's base figures
}

var neighbours = []neighbourSeed{
	{"longshan", "龙山社区", "龙山管理处", 60},
	{"wanghu", "望湖社区", "龙山管理处", 45},
	{"fengqiao", "枫桥村", "南湖管理处", 30},
}

// neighbour is a smaller invented community in the same district, with
// assets, a few residents and two years of signed, posted vouchers.
func (l *loader) neighbour(ctx context.Context, n neighbourSeed) error {
	g, err := l.c.Community.Create().SetName(n.name).SetCode(n.code).SetSubDistrict(n.sub).
		SetDistrict("南湖新区").SetEstablishedOn(calendar.Date(2005, 6, 1)).Save(ctx)
	if err != nil {
		return err
	}
	c := &community{Community: g}
	seeds := []struct {
		name string
		cat  asset.Category
		base int64
	}{{"社区服务中心", asset.CategoryBUILDING, 6_000_000}, {"农贸市场", asset.CategoryMARKET, 9_000_000}, {"集体停车场", asset.CategoryPARKING, 2_500_000}, {"集体土地使用权", asset.CategoryLAND, 12_000_000}}
	var vals []*ent.AssetValuationCreate
	for i, s := range seeds {
		orig := money.Yuan(s.base * n.scale / 100)
		a, err := l.c.Asset.Create().SetCommunityID(g.ID).SetName(s.name).SetCategory(s.cat).
			SetAcquiredOn(calendar.Date(2006+i, 3, 1)).SetOriginalValue(orig).SetUsefulLifeYears(40).Save(ctx)
		if err != nil {
			return err
		}
		v := orig
		for y := 2017; y <= 2025; y++ {
			v += v * 4 / 100
			v = v / 100 * 100
			vals = append(vals, l.c.AssetValuation.Create().SetCommunityID(g.ID).SetAssetID(a.ID).
				SetAsOf(calendar.Date(y, 12, 31)).SetValue(v).SetNote(fmt.Sprintf("%d年末资产清查", y)))
		}
	}
	if err := l.c.AssetValuation.CreateBulk(vals...).Exec(ctx); err != nil {
		return err
	}
	in, out := voucher.DirectionINCOME, voucher.DirectionEXPENSE
	for m := calendar.Month(2025, 1); !calendar.Month(2026, 10).Before(m); m = m.Next() {
		d := func(day int) time.Time { return calendar.Date(m.Year, m.Month, day) }
		l.voucher(c, d(5), in, "租金收入", l.around(20_000*n.scale/100, 2_000), m.Chinese()+"集体房屋租金", "承租户")
		l.voucher(c, d(10), out, "办公经费", l.around(15_000*n.scale/100, 2_000), m.Chinese()+"办公经费", "社区居委会")
		l.voucher(c, d(12), out, "办公用品", l.around(800, 300), m.Chinese()+"办公用品", "办公用品店")
		l.voucher(c, d(20), out, "集体公益福利支出", l.around(12_000*n.scale/100, 3_000), m.Chinese()+"惠民福利", "受助居民")
	}
	vs, err := l.c.Voucher.CreateBulk(c.vouchers...).Save(ctx)
	if err != nil {
		return err
	}
	if err := l.sign(ctx, c, vs, calendar.Date(2026, 1, 1)); err != nil {
		return err
	}
	return l.postMonths(ctx, g.ID, calendar.Month(2025, 1), calendar.Month(2026, 10))
}
