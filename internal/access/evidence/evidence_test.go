package evidence_test

import (
	"context"
	"testing"
	"time"

	"sunlight/ent/auditevent"
	entreport "sunlight/ent/report"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/fail"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestPublishedReportsAndTheTrailNeverChange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		c := dbtest.Open(t, dsn).Client
		com := c.Community.Create().SetName("证据社区").SetCode("evidence").SaveX(ctx)
		rep := c.Report.Create().SetCommunityID(com.ID).SetKind(entreport.KindMONTHLY_DISCLOSURE).SetPeriod("2026-10").
			SetSha256("ab").SetGeneratedAt(time.Now()).SaveX(ctx)
		ev := c.AuditEvent.Query().Where(auditevent.EntityID(com.ID)).FirstX(ctx)
		paths := []struct {
			name string
			run  func() error
		}{
			{"update a report", func() error { return c.Report.UpdateOne(rep).SetSha256("cd").Exec(ctx) }},
			{"delete a report", func() error { return c.Report.DeleteOne(rep).Exec(ctx) }},
			{"bulk delete reports", func() error { _, err := c.Report.Delete().Exec(ctx); return err }},
			{"update the trail", func() error { return c.AuditEvent.UpdateOne(ev).Exec(ctx) }},
			{"delete the trail", func() error { _, err := c.AuditEvent.Delete().Exec(ctx); return err }},
		}
		for _, p := range paths {
			t.Run(p.name, func(t *testing.T) {
				if err := p.run(); fail.CodeOf(err) != fail.Conflict {
					t.Fatalf("err = %v, want a CONFLICT", err)
				}
			})
		}
		if got := c.Report.GetX(ctx, rep.ID); got.Sha256 != "ab" {
			t.Fatalf("report changed to %s", got.Sha256)
		}
		if n := c.AuditEvent.Query().CountX(ctx); n == 0 {
			t.Fatal("the trail is gone")
		}
	})
}
