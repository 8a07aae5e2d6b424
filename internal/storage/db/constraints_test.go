package db_test

import (
	"context"
	"testing"
	"time"

	"sunlight/ent"
	"sunlight/ent/asset"
	"sunlight/ent/contract"
	"sunlight/ent/matterdisclosure"
	entreport "sunlight/ent/report"
	"sunlight/ent/resident"
	"sunlight/ent/signature"
	"sunlight/ent/voucher"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/money"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// TestSchemaConstraints writes, for each entity, one record that breaks a
// constraint of its schema (uniqueness, a required value, a validator, a
// reference to nothing) and expects the database or ent to refuse it and
// the table to keep its rows, on SQLite and on PostgreSQL.
func TestSchemaConstraints(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		c := dbtest.Open(t, dsn).Client
		day := calendar.Date(2026, 10, 15)
		com := c.Community.Create().SetName("约束社区").SetCode("constraints").SaveX(ctx)
		other := c.Community.Create().SetName("另一社区").SetCode("other").SaveX(ctx)
		a := c.Asset.Create().SetCommunityID(com.ID).SetName("服务楼").SetCategory(asset.CategoryBUILDING).
			SetAcquiredOn(day).SetOriginalValue(money.Yuan(100)).SaveX(ctx)
		c.AssetValuation.Create().SetCommunityID(com.ID).SetAssetID(a.ID).SetAsOf(day).SetValue(1).ExecX(ctx)
		m := c.Market.Create().SetCommunityID(com.ID).SetName("菜市场").SaveX(ctx)
		c.Stall.Create().SetCommunityID(com.ID).SetMarketID(m.ID).SetNumber("A-01").SetMonthlyRent(1).ExecX(ctx)
		c.Contract.Create().SetCommunityID(com.ID).SetCode("HT-1").SetKind(contract.KindSERVICE).SetTitle("保洁").
			SetCounterparty("保洁公司").SetAmount(money.Yuan(100)).SetSignedOn(day).SetStartsOn(day).ExecX(ctx)
		g := c.ResidentGroup.Create().SetCommunityID(com.ID).SetName("第一组").SaveX(ctx)
		r := c.Resident.Create().SetCommunityID(com.ID).SetName("王建国").SetGender(resident.GenderMALE).
			SetBirthDate(calendar.Date(1950, 1, 1)).SetGroupID(g.ID).SaveX(ctx)
		v := c.Voucher.Create().SetCommunityID(com.ID).SetNumber("V-1").SetOccurredOn(day).
			SetDirection(voucher.DirectionEXPENSE).SetCategory("办公经费").SetAmount(100).SetSummary("x").SaveX(ctx)
		c.Signature.Create().SetCommunityID(com.ID).SetVoucherID(v.ID).SetSigner("甲").SetRole(signature.RoleOTHER).SetSignedAt(time.Now()).ExecX(ctx)
		mt := c.Matter.Create().SetCommunityID(com.ID).SetTitle("事项").SaveX(ctx)
		c.Report.Create().SetCommunityID(com.ID).SetKind(entreport.KindMONTHLY_DISCLOSURE).SetPeriod("2026-09").SetGeneratedAt(time.Now()).ExecX(ctx)

		tests := []struct {
			name  string
			table func() int
			write func() error
		}{
			{"community code unique", func() int { return c.Community.Query().CountX(ctx) },
				func() error { return c.Community.Create().SetName("重复").SetCode("constraints").Exec(ctx) }},
			{"community code format", func() int { return c.Community.Query().CountX(ctx) },
				func() error { return c.Community.Create().SetName("坏代码").SetCode("Bad Code").Exec(ctx) }},
			{"community name required", func() int { return c.Community.Query().CountX(ctx) },
				func() error { return c.Community.Create().SetName("").SetCode("empty").Exec(ctx) }},
			{"asset name unique in a community", func() int { return c.Asset.Query().CountX(ctx) },
				func() error {
					return c.Asset.Create().SetCommunityID(com.ID).SetName("服务楼").SetCategory(asset.CategoryOTHER).SetAcquiredOn(day).SetOriginalValue(1).Exec(ctx)
				}},
			{"asset of no community", func() int { return c.Asset.Query().CountX(ctx) },
				func() error {
					return c.Asset.Create().SetCommunityID(999999).SetName("孤儿").SetCategory(asset.CategoryOTHER).SetAcquiredOn(day).SetOriginalValue(1).Exec(ctx)
				}},
			{"one valuation an asset a day", func() int { return c.AssetValuation.Query().CountX(ctx) },
				func() error {
					return c.AssetValuation.Create().SetCommunityID(com.ID).SetAssetID(a.ID).SetAsOf(day).SetValue(2).Exec(ctx)
				}},
			{"stall number unique in a market", func() int { return c.Stall.Query().CountX(ctx) },
				func() error {
					return c.Stall.Create().SetCommunityID(com.ID).SetMarketID(m.ID).SetNumber("A-01").SetMonthlyRent(1).Exec(ctx)
				}},
			{"contract code unique in a community", func() int { return c.Contract.Query().CountX(ctx) },
				func() error {
					return c.Contract.Create().SetCommunityID(com.ID).SetCode("HT-1").SetKind(contract.KindSERVICE).SetTitle("另一").
						SetCounterparty("公司").SetAmount(1).SetSignedOn(day).SetStartsOn(day).Exec(ctx)
				}},
			{"resident group name unique", func() int { return c.ResidentGroup.Query().CountX(ctx) },
				func() error { return c.ResidentGroup.Create().SetCommunityID(com.ID).SetName("第一组").Exec(ctx) }},
			{"resident in a group of nothing", func() int { return c.Resident.Query().CountX(ctx) },
				func() error {
					return c.Resident.Create().SetCommunityID(com.ID).SetName("李明").SetGender(resident.GenderMALE).SetBirthDate(day).SetGroupID(999999).Exec(ctx)
				}},
			{"points out of range", func() int { return c.PointEvent.Query().CountX(ctx) },
				func() error {
					return c.PointEvent.Create().SetCommunityID(com.ID).SetResidentID(r.ID).SetOccurredOn(day).SetPoints(5000).SetReason("x").Exec(ctx)
				}},
			{"voucher number unique in a community", func() int { return c.Voucher.Query().CountX(ctx) },
				func() error {
					return c.Voucher.Create().SetCommunityID(com.ID).SetNumber("V-1").SetOccurredOn(day).SetDirection(voucher.DirectionEXPENSE).
						SetCategory("办公经费").SetAmount(1).SetSummary("x").Exec(ctx)
				}},
			{"voucher amount positive", func() int { return c.Voucher.Query().CountX(ctx) },
				func() error {
					return c.Voucher.Create().SetCommunityID(com.ID).SetNumber("V-2").SetOccurredOn(day).SetDirection(voucher.DirectionEXPENSE).
						SetCategory("办公经费").SetAmount(0).SetSummary("x").Exec(ctx)
				}},
			{"one signature a person a voucher", func() int { return c.Signature.Query().CountX(ctx) },
				func() error {
					return c.Signature.Create().SetCommunityID(com.ID).SetVoucherID(v.ID).SetSigner("甲").SetRole(signature.RoleOTHER).SetSignedAt(time.Now()).Exec(ctx)
				}},
			{"meeting attended over entitled", func() int { return c.Meeting.Query().CountX(ctx) },
				func() error {
					return c.Meeting.Create().SetCommunityID(com.ID).SetKind("OTHER").SetHeldAt(time.Now()).SetTitle("会").SetEntitled(5).SetAttended(6).Exec(ctx)
				}},
			{"matter disclosed twice", func() int { return c.MatterDisclosure.Query().CountX(ctx) },
				func() error {
					return c.MatterDisclosure.Create().SetCommunityID(com.ID).SetMatterID(mt.ID).SetStage(matterdisclosure.StageRESULT_DISCLOSURE).
						SetDisclosedOn(day).SetChannel("公开栏").SetText("x").Exec(ctx)
				}},
			{"benefit of no voucher", func() int { return c.Benefit.Query().CountX(ctx) },
				func() error {
					return c.Benefit.Create().SetCommunityID(com.ID).SetResidentID(r.ID).SetKind("OTHER").SetAmount(1).SetPaidOn(day).SetVoucherID(999999).Exec(ctx)
				}},
			{"inquiry with no question", func() int { return c.Inquiry.Query().CountX(ctx) },
				func() error {
					return c.Inquiry.Create().SetCommunityID(com.ID).SetResidentID(r.ID).SetAskedOn(day).SetQuestion("").Exec(ctx)
				}},
			{"one report a community, kind and period", func() int { return c.Report.Query().CountX(ctx) },
				func() error {
					return c.Report.Create().SetCommunityID(com.ID).SetKind(entreport.KindMONTHLY_DISCLOSURE).SetPeriod("2026-09").SetGeneratedAt(time.Now()).Exec(ctx)
				}},
			{"report period format", func() int { return c.Report.Query().CountX(ctx) },
				func() error {
					return c.Report.Create().SetCommunityID(other.ID).SetKind(entreport.KindMONTHLY_DISCLOSURE).SetPeriod("2026-13").SetGeneratedAt(time.Now()).Exec(ctx)
				}},
			{"job run attempt unique", func() int { return c.JobRun.Query().CountX(ctx) },
				func() error {
					q := func() *ent.JobRunCreate {
						return c.JobRun.Create().SetJob("j").SetCommunityID(com.ID).SetPeriod("2026-09").SetScheduledFor(time.Now()).SetStartedAt(time.Now()).SetAttempt(1)
					}
					if err := q().Exec(ctx); err != nil {
						return nil
					}
					return q().Exec(ctx)
				}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := tt.table()
				if err := tt.write(); err == nil {
					t.Fatal("the write was accepted")
				}
				if tt.name == "job run attempt unique" {
					before++ // the first run of the pair is legitimate
				}
				if after := tt.table(); after != before {
					t.Fatalf("rows %d → %d: the refused write left a record", before, after)
				}
			})
		}
	})
}
