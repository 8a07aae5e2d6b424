package jobs_test

import (
	"sort"
	"testing"
	"time"

	"sunlight/ent/voucher"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/calendar"
	"sunlight/jobs"
)

// TestNewCommunityStartsAtItsGoLiveMonth: a community established on
// 1 September 2026 gets no disclosure and no close before September, however
// far the catch-up looks back; its open November still takes vouchers.
func TestNewCommunityStartsAtItsGoLiveMonth(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		c := e.d.Client
		com := c.Community.Create().SetName("新建社区").SetCode("xinjian").
			SetEstablishedOn(calendar.Date(2026, 9, 1)).SaveX(e.ctx)
		e.clock.Set(shanghai(2026, 11, 25, 10, 0))
		if err := e.scheduler(e.d, jobs.Config{LookbackMonths: 12}).CatchUp(e.ctx); err != nil {
			t.Fatal(err)
		}
		var periods []string
		for _, r := range e.reports() {
			if r.Edges.Community.Code == "xinjian" {
				periods = append(periods, r.Period)
			}
		}
		sort.Strings(periods)
		if len(periods) != 2 || periods[0] != "2026-09" || periods[1] != "2026-10" {
			t.Fatalf("xinjian's disclosures: %v; want [2026-09 2026-10]", periods)
		}
		com = c.Community.GetX(e.ctx, com.ID)
		if com.ClosedThrough == nil || *com.ClosedThrough != "2026-10" {
			t.Fatalf("xinjian closed through %v; want 2026-10", com.ClosedThrough)
		}
		// November is open; October, published, is closed.
		for _, tc := range []struct {
			month time.Month
			ok    bool
		}{{time.November, true}, {time.October, false}} {
			_, err := c.Voucher.Create().SetCommunityID(com.ID).SetNumber("V-" + tc.month.String()).
				SetOccurredOn(calendar.Date(2026, tc.month, 15)).SetDirection(voucher.DirectionINCOME).
				SetCategory("租金收入").SetAmount(100).SetSummary("租金").Save(e.ctx)
			if (err == nil) != tc.ok {
				t.Errorf("voucher of 15 %s 2026: %v; want accepted %v", tc.month, err, tc.ok)
			}
		}
	})
}
