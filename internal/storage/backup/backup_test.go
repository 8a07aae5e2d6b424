package backup_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sunlight/ent/signer"
	"sunlight/ent/voucher"
	"sunlight/internal/ledger"
	"sunlight/internal/ledger/signing/signingtest"
	"sunlight/internal/storage/backup"
	"sunlight/internal/storage/db"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/money"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// A backup taken while vouchers are being posted restores, by the README's
// instructions (copy the file into place with no -wal/-shm beside it), to a
// database that passes the checks: integrity, foreign keys, and ledger
// totals that agree with the vouchers in it.
func TestBackupDuringWritesRestores(t *testing.T) {
	ctx := context.Background()
	d := dbtest.Open(t, dbtest.SQLiteDSN(t))
	c := d.Client.Community.Create().SetName("备份测试社区").SetCode("backup").SetMinSignatures(3).SaveX(ctx)
	signers := signingtest.Enrol(ctx, t, d.Client, c.ID, signer.CapacityCOMMITTEE, "甲", "乙", "丙")

	var posted atomic.Int64
	progress := make(chan struct{}, 1) // a voucher was posted; closed when the writer stops
	waitFor := func(n int64) {
		for posted.Load() < n {
			if _, ok := <-progress; !ok {
				t.Fatalf("the writer stopped after %d vouchers", posted.Load())
			}
		}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(progress)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			v, err := d.Client.Voucher.Create().SetCommunityID(c.ID).SetNumber(fmt.Sprintf("B-%05d", i)).
				SetOccurredOn(calendar.Date(2026, 10, 1+i%28)).SetDirection(voucher.DirectionEXPENSE).
				SetCategory("办公经费").SetAmount(money.Yuan(int64(10 + i))).SetSummary("办公经费").Save(ctx)
			if err != nil {
				t.Error(err)
				return
			}
			for _, s := range signers {
				if _, err := s.Sign(ctx, d.Client, v.ID, time.Now()); err != nil {
					t.Error(err)
					return
				}
			}
			if _, err := ledger.Post(ctx, d.Client, v.ID, time.Now()); err != nil {
				t.Error(err)
				return
			}
			posted.Add(1)
			select {
			case progress <- struct{}{}:
			default:
			}
		}
	}()
	waitFor(20)
	out := filepath.Join(t.TempDir(), "backup.db")
	if err := backup.SQLite(ctx, d, out); err != nil {
		t.Fatal(err)
	}
	atBackup := posted.Load()
	waitFor(atBackup + 10) // writes go on after it too
	close(stop)
	wg.Wait()
	if err := backup.SQLite(ctx, d, out); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("a second backup over the first = %v, want a refusal", err)
	}

	// Restore: copy the backup to where the database lives, then open it.
	restored := filepath.Join(t.TempDir(), "sunlight.db")
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(restored, b, 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := db.Open(ctx, "file:"+restored)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := backup.Check(ctx, r); err != nil {
		t.Fatal(err)
	}
	n := r.Client.Voucher.Query().Where(voucher.StatusEQ(voucher.StatusPOSTED)).CountX(ctx)
	if n < 20 || int64(n) > atBackup+1 {
		t.Fatalf("%d posted vouchers in the backup, want between 20 and %d", n, atBackup+1)
	}
	sigs := r.Client.Signature.Query().CountX(ctx)
	all := r.Client.Voucher.Query().CountX(ctx)
	if sigs < 3*n || sigs > 3*all {
		t.Fatalf("%d signatures for %d posted of %d vouchers: torn backup", sigs, n, all)
	}
	tot, err := ledger.TotalsFor(ctx, r.Client, c.ID, calendar.Month(2026, 10))
	if err != nil {
		t.Fatal(err)
	}
	var sum money.Fen
	for _, v := range r.Client.Voucher.Query().Where(voucher.StatusEQ(voucher.StatusPOSTED)).AllX(ctx) {
		sum += v.Amount
	}
	if tot.Expense != sum || tot.Categories[0].Vouchers != n {
		t.Fatalf("totals %v over %d vouchers, but the vouchers sum to %v over %d", tot.Expense, tot.Categories[0].Vouchers, sum, n)
	}
}

func TestPostgresPointsToPgDump(t *testing.T) {
	d := dbtest.Open(t, dbtest.PostgresURL(t))
	err := backup.SQLite(context.Background(), d, filepath.Join(t.TempDir(), "x"))
	if err == nil || !strings.Contains(err.Error(), "pg_dump") {
		t.Fatalf("backup of PostgreSQL = %v, want a pointer to pg_dump", err)
	}
}
