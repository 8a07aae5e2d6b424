package graph

import (
	"context"
	"testing"
	"time"

	"sunlight/ent"
	"sunlight/ent/report"
	"sunlight/internal/access/auth"
	"sunlight/internal/storage/dbtest"
)

// fakePublisher announces what the test sends.
type fakePublisher struct{ subs chan chan<- *ent.Report }

func (f fakePublisher) Subscribe(ch chan<- *ent.Report) func() {
	f.subs <- ch
	return func() {}
}

// TestReportPublishedFollowsTheReportPolicy: who hears of a published
// report is decided by the Report policy, as for a query: a community's
// staff hear of its reports, a neighbour's staff and a supervisor (who
// reads only what it signs) do not.
func TestReportPublishedFollowsTheReportPolicy(t *testing.T) {
	d := dbtest.Open(t, dbtest.SQLiteDSN(t))
	ctx := context.Background()
	home := d.Client.Community.Create().SetName("本社区").SetCode("home").SaveX(ctx)
	other := d.Client.Community.Create().SetName("邻社区").SetCode("next").SaveX(ctx)
	rep := d.Client.Report.Create().SetCommunityID(home.ID).SetKind(report.KindMONTHLY_DISCLOSURE).
		SetPeriod("2026-10").SetGeneratedAt(time.Now()).SetPublishedAt(time.Now()).SaveX(ctx)

	for _, tt := range []struct {
		name  string
		v     *auth.Viewer
		hears bool
	}{
		{"the public", nil, true},
		{"the community's staff", &auth.Viewer{Role: auth.CommunityStaff, Communities: []int{home.ID}}, true},
		{"a neighbour's staff", &auth.Viewer{Role: auth.CommunityStaff, Communities: []int{other.ID}}, false},
		{"the community's supervisor", &auth.Viewer{Role: auth.Supervisor, Communities: []int{home.ID}}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pub := fakePublisher{subs: make(chan chan<- *ent.Report, 1)}
			r := NewResolver(d.Client, time.Now, pub)
			sctx, cancel := context.WithCancel(ctx)
			defer cancel()
			if tt.v != nil {
				sctx = auth.NewContext(sctx, tt.v)
			}
			out, err := r.reportPublished(sctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			(<-pub.subs) <- rep
			select {
			case got := <-out:
				if !tt.hears || got.ID != rep.ID {
					t.Fatalf("heard %v, want hears=%v", got, tt.hears)
				}
			case <-time.After(300 * time.Millisecond):
				if tt.hears {
					t.Fatal("heard nothing")
				}
			}
		})
	}
}
