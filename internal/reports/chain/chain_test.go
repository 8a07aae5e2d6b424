package chain_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"sunlight/ent/community"
	"sunlight/ent/contract"
	entreport "sunlight/ent/report"
	"sunlight/internal/demo"
	"sunlight/internal/demo/demotest"
	"sunlight/internal/reports/archive"
	"sunlight/internal/reports/chain"
	"sunlight/internal/reports/pdf"
	"sunlight/internal/reports/publish"
	"sunlight/internal/storage/db"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/mask"
	"sunlight/jobs"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

type env struct {
	ctx  context.Context
	d    *db.DB
	arch *archive.Archive
	r    *pdf.Renderer
}

// published loads the demo and has the scheduler publish October 2026.
func published(t *testing.T, dsn string) *env { return publishedAfter(t, dsn, nil) }

// publishedAfter is published with before run on the demo's copy first.
func publishedAfter(t *testing.T, dsn string, before func(*env)) *env {
	t.Helper()
	e := &env{ctx: context.Background(), d: dbtest.Open(t, dsn)} // a copy of the demo (demotest)
	if before != nil {
		before(e)
	}
	var err error
	if e.arch, err = archive.Open(e.ctx, "file://"+t.TempDir()); err != nil {
		t.Fatal(err)
	}
	if e.r, err = pdf.NewRenderer(); err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return calendar.StartOf(demo.Today) }
	if err := jobs.New(e.d.Client, e.arch, e.r, jobs.Config{Now: now, LookbackMonths: 2}).CatchUp(e.ctx); err != nil {
		t.Fatal(err)
	}
	if n := e.d.Client.Report.Query().Where(entreport.Period("2026-10")).CountX(e.ctx); n == 0 {
		t.Fatal("October 2026 was not published")
	}
	return e
}

// q writes a statement's $1 as SQLite wants it.
func (e *env) q(stmt string) string {
	if e.d.Dialect == dialect.SQLite {
		return strings.ReplaceAll(stmt, "$1", "?")
	}
	return stmt
}

func (e *env) verify(t *testing.T) (bad []chain.Finding, all string) {
	t.Helper()
	fs, err := chain.Verify(e.ctx, e.d.Client, e.arch, e.r, demo.Code)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.String() + "\n")
		if !f.OK {
			bad = append(bad, f)
		}
	}
	if len(fs) == 0 {
		t.Fatal("verify checked nothing")
	}
	return bad, b.String()
}

// TestLeaseExtendedAfterPublishingLeavesVerifyClean: a lease printed in
// October's disclosure is extended afterwards, an ordinary edit; what was
// published is unchanged, so verify finds nothing.
func TestLeaseExtendedAfterPublishingLeavesVerifyClean(t *testing.T) {
	demotest.Each(t, func(t *testing.T, dsn string) {
		e := published(t, dsn)
		if bad, out := e.verify(t); len(bad) != 0 {
			t.Fatalf("verify right after publishing:\n%s", out)
		}
		oct := calendar.Month(2026, 10)
		leases := e.d.Client.Contract.Query().Where(contract.HasCommunityWith(community.Code(demo.Code)), contract.KindEQ(contract.KindLEASE),
			contract.StatusNEQ(contract.StatusDRAFT), contract.StartsOnLTE(oct.Last()), contract.EndsOnGTE(oct.First())).AllX(e.ctx)
		if len(leases) == 0 {
			t.Fatal("the demo has no lease running in October")
		}
		for _, l := range leases {
			if _, err := e.d.Client.Contract.UpdateOne(l).SetEndsOn(l.EndsOn.AddDate(3, 0, 0)).Save(e.ctx); err != nil {
				t.Fatalf("extend lease %s: %v", l.Code, err)
			}
		}
		if bad, out := e.verify(t); len(bad) != 0 {
			t.Fatalf("verify after extending %d lease(s):\n%s", len(leases), out)
		}
	})
}

// TestChangedVoucherOfAClosedMonthFailsVerify: an amount of a posted
// voucher of closed October is changed in the database behind the
// platform's back; verify names the voucher and both amounts, and does not
// blame the stored file.
func TestChangedVoucherOfAClosedMonthFailsVerify(t *testing.T) {
	demotest.Each(t, func(t *testing.T, dsn string) {
		e := published(t, dsn)
		var number string
		var amount int64
		row := e.d.SQL.QueryRowContext(e.ctx, e.q(`SELECT v.number, v.amount FROM vouchers v JOIN communities c ON c.id = v.community_id
			WHERE c.code = $1 AND v.period = '2026-10' AND v.status = 'POSTED' ORDER BY v.number LIMIT 1`), demo.Code)
		if err := row.Scan(&number, &amount); err != nil {
			t.Fatal(err)
		}
		if _, err := e.d.SQL.ExecContext(e.ctx, e.q(`UPDATE vouchers SET amount = amount + 10000 WHERE number = $1`), number); err != nil {
			t.Fatal(err)
		}
		bad, out := e.verify(t)
		t.Logf("verify after the change:\n%s", out)
		if len(bad) != 1 || bad[0].Period != "2026-10" || bad[0].Kind != entreport.KindMONTHLY_DISCLOSURE {
			t.Fatalf("want exactly October's disclosure to fail:\n%s", out)
		}
		want := "the books changed: voucher " + number + " amount "
		if !strings.Contains(out, want) || !strings.Contains(out, "in the published report") {
			t.Fatalf("verify does not name the changed voucher (%q):\n%s", want, out)
		}
		if strings.Contains(out, "stored file") {
			t.Fatalf("verify blames the stored file for a change in the books:\n%s", out)
		}
		if !strings.Contains(out, "a signature fails: voucher "+number+": the signature of ") {
			t.Fatalf("verify does not say the changed voucher's signatures no longer verify:\n%s", out)
		}
	})
}

// TestAlteredSignatureFailsVerify: a stored signature of a voucher of
// closed October is replaced in the database by one made for another
// voucher; verify names the voucher and the signer. A name-only signature
// (as recorded before signers had keys) is reported as unverified, without
// failing.
func TestAlteredSignatureFailsVerify(t *testing.T) {
	demotest.Each(t, func(t *testing.T, dsn string) {
		e := published(t, dsn)
		var number, signer string
		var id, voucherID, communityID int64
		row := e.d.SQL.QueryRowContext(e.ctx, e.q(`SELECT v.number, s.signer, s.id, v.id, v.community_id FROM signatures s JOIN vouchers v ON v.id = s.voucher_id
			JOIN communities c ON c.id = v.community_id WHERE c.code = $1 AND v.period = '2026-10' ORDER BY v.number, s.id LIMIT 1`), demo.Code)
		if err := row.Scan(&number, &signer, &id, &voucherID, &communityID); err != nil {
			t.Fatal(err)
		}
		stmt := `UPDATE signatures SET ed25519_signature = (SELECT o.ed25519_signature FROM signatures o WHERE o.voucher_id <> $1 AND o.ed25519_signature IS NOT NULL ORDER BY o.id LIMIT 1) WHERE id = $2`
		if e.d.Dialect == dialect.SQLite {
			stmt = strings.NewReplacer("$1", "?", "$2", "?").Replace(stmt)
		}
		if _, err := e.d.SQL.ExecContext(e.ctx, stmt, voucherID, id); err != nil {
			t.Fatal(err)
		}
		bad, out := e.verify(t)
		t.Logf("verify after the change:\n%s", out)
		want := "a signature fails: voucher " + number + ": the signature of " + signer
		if len(bad) != 1 || bad[0].Period != "2026-10" || !strings.Contains(out, want) || !strings.Contains(out, "does not verify") {
			t.Fatalf("want October's disclosure to fail with %q:\n%s", want, out)
		}
		if strings.Contains(out, "the books changed") || strings.Contains(out, "stored file") {
			t.Fatalf("verify blames the books or the file for a changed signature:\n%s", out)
		}

		// A name-only signature (as recorded before signers had keys) is
		// not a failure, but is said.
		if _, err := e.d.SQL.ExecContext(e.ctx, e.q(`UPDATE signatures SET method = 'NAME_ONLY', signer_id = NULL, ed25519_signature = NULL, encoding_version = NULL
			WHERE id = (SELECT MIN(s.id) FROM signatures s JOIN vouchers v ON v.id = s.voucher_id WHERE v.period = '2026-10' AND v.community_id = $1 AND v.id <> `+
			fmt.Sprint(voucherID)+`)`), communityID); err != nil {
			t.Fatal(err)
		}
		// October's disclosure (Layout3) printed that signature with its
		// key's fingerprint, so the books now differ from it too.
		bad, out = e.verify(t)
		if len(bad) != 1 || !strings.Contains(out, "name-only signature(s), recorded before signers had keys: unverified") ||
			!strings.Contains(out, "the books changed: voucher ") || !strings.Contains(out, ", name-only)") {
			t.Fatalf("verify does not say the name-only signature is unverified, or that the published signers changed:\n%s", out)
		}
	})
}

// TestSignersOnThePublishedDisclosure: October's disclosure, published in
// layout 3, names every signer of its vouchers with capacity and key
// fingerprint, and says of signatures recorded by name only (before keys)
// that they are unverified; verify passes on it, noting them.
func TestSignersOnThePublishedDisclosure(t *testing.T) {
	demotest.Each(t, func(t *testing.T, dsn string) {
		var legacy string // the voucher whose signatures are name-only
		var legacyID int64
		e := publishedAfter(t, dsn, func(e *env) {
			row := e.d.SQL.QueryRowContext(e.ctx, e.q(`SELECT v.number, v.id FROM vouchers v JOIN communities c ON c.id = v.community_id
				WHERE c.code = $1 AND v.period = '2026-10' AND v.status = 'POSTED' ORDER BY v.number LIMIT 1`), demo.Code)
			if err := row.Scan(&legacy, &legacyID); err != nil {
				t.Fatal(err)
			}
			if _, err := e.d.SQL.ExecContext(e.ctx, e.q(`UPDATE signatures SET method = 'NAME_ONLY', signer_id = NULL, ed25519_signature = NULL, encoding_version = NULL
				WHERE voucher_id = $1`), legacyID); err != nil {
				t.Fatal(err)
			}
		})
		rep := e.d.Client.Report.Query().Where(entreport.Period("2026-10"), entreport.KindEQ(entreport.KindMONTHLY_DISCLOSURE),
			entreport.HasCommunityWith(community.Code(demo.Code))).OnlyX(e.ctx)
		v, err := publish.Decode(rep.Kind, []byte(rep.Inputs))
		if err != nil {
			t.Fatal(err)
		}
		m := v.(*pdf.Monthly)
		if m.Layout != pdf.Layout3 {
			t.Fatalf("published in layout %d, want %d", m.Layout, pdf.Layout3)
		}
		var want []string
		keyed, nameOnly := 0, 0
		for _, v := range m.Vouchers {
			if len(v.Signers) != v.Signatures || v.Signatures < 9 {
				t.Errorf("voucher %s: %d signers frozen for %d signatures", v.Number, len(v.Signers), v.Signatures)
			}
			for _, g := range v.Signers {
				switch {
				case v.Number == legacy && g.NameOnly && g.Fingerprint == "":
					nameOnly++
				case v.Number != legacy && !g.NameOnly && len(g.Fingerprint) == 19:
					keyed++
					want = append(want, mask.Name(g.Name), g.Fingerprint)
				default:
					t.Errorf("voucher %s: signer %+v", v.Number, g)
				}
			}
		}
		if keyed == 0 || nameOnly == 0 {
			t.Fatalf("%d signatures with keys, %d name-only", keyed, nameOnly)
		}
		stored, err := e.arch.Get(e.ctx, rep.StorageKey)
		if err != nil {
			t.Fatal(err)
		}
		text := pdfText(t, stored)
		for _, w := range append(want, "八、凭证审批签字", "书记", "经办人", "会计", "仅签名，未经密钥验证", legacy) {
			if !strings.Contains(text, w) {
				t.Errorf("pdftotext of the published disclosure lacks %q", w)
			}
		}
		bad, out := e.verify(t)
		if len(bad) != 0 || !strings.Contains(out, "voucher "+legacy+" has 9 name-only signature(s)") {
			t.Fatalf("want verify to pass, noting the name-only signatures of %s:\n%s", legacy, out)
		}
	})
}

// pdfText is the text pdftotext gives back, spaces removed (it drops or
// adds narrow spaces around CJK text).
func pdfText(t *testing.T, b []byte) string {
	t.Helper()
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext not installed (apt-get install -y poppler-utils)")
	}
	f := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(f, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "-layout", f, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.ReplaceAll(string(out), " ", "")
}

// TestDeletedReportFailsVerifyNamingTheMonth: the last report row of the
// community is deleted in the database; verify reports the month missing.
func TestDeletedReportFailsVerifyNamingTheMonth(t *testing.T) {
	demotest.Each(t, func(t *testing.T, dsn string) {
		e := published(t, dsn)
		res, err := e.d.SQL.ExecContext(e.ctx, e.q(`DELETE FROM reports WHERE kind = 'MONTHLY_DISCLOSURE' AND period = '2026-10'
			AND community_id = (SELECT id FROM communities WHERE code = $1)`), demo.Code)
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			t.Fatalf("deleted %d rows", n)
		}
		bad, out := e.verify(t)
		t.Logf("verify after the deletion:\n%s", out)
		want := demo.Code + " 2026-10 monthly disclosure is missing"
		if len(bad) == 0 || !strings.Contains(out, want) {
			t.Fatalf("verify does not report %q:\n%s", want, out)
		}
		gaps, err := chain.Missing(e.ctx, e.d.Client, e.d.Client.Community.Query().Where(community.Code(demo.Code)).OnlyX(e.ctx))
		if err != nil {
			t.Fatal(err)
		}
		if len(gaps) != 1 || gaps[0].String() != want {
			t.Fatalf("Missing = %v, want [%s]", gaps, want)
		}
	})
}
