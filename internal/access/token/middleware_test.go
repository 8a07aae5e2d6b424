package token_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"sunlight/internal/access/auth"
	"sunlight/internal/access/token"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/fail"
	"sunlight/internal/web/server"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// viewerQuery asks who the caller is.
const viewerQuery = `{"query":"{ viewer { role communityIDs } }"}`

func call(h http.Handler, addr, authorization string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(viewerQuery))
	req.Header.Set("Content-Type", "application/json")
	req.RemoteAddr = addr
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestGuessingTokensIsThrottled(t *testing.T) {
	d := dbtest.Open(t, dbtest.SQLiteDSN(t))
	h := server.New(server.Config{RateLimit: -1, Log: slog.New(slog.DiscardHandler), TokenFailures: &token.Failures{Max: 3, Window: time.Minute}}, server.Deps{DB: d})
	for i := 0; i < 3; i++ {
		if got := call(h, "10.0.0.1:5000", "Bearer slt_guess"+string(rune('a'+i))).Code; got != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d, want 401", i, got)
		}
	}
	if got := call(h, "10.0.0.1:5001", "Bearer slt_guessd"); got.Code != http.StatusTooManyRequests || !strings.Contains(got.Body.String(), `"RATE_LIMITED"`) {
		t.Fatalf("fourth guess from the same address: %d %s, want 429 RATE_LIMITED", got.Code, got.Body)
	}
	if got := call(h, "10.0.0.2:5000", "Bearer slt_other").Code; got != http.StatusUnauthorized {
		t.Fatalf("another address is throttled too: %d", got)
	}
	if got := call(h, "10.0.0.1:5002", ""); got.Code != http.StatusOK || !strings.Contains(got.Body.String(), `"PUBLIC"`) {
		t.Fatalf("an anonymous request from the throttled address: %d %s, want it served as PUBLIC", got.Code, got.Body)
	}
}

// TestDistrictTokenCostsOneStatement: a DISTRICT_OFFICIAL's request reads
// its token, not the district's communities again; revoking the token
// still refuses the very next request.
func TestDistrictTokenCostsOneStatement(t *testing.T) {
	ctx := context.Background()
	d, count := dbtest.OpenCounting(t, dbtest.SQLiteDSN(t))
	for _, code := range []string{"a", "b"} {
		d.Client.Community.Create().SetName("社区" + code).SetCode(code).SetDistrict("东区").SaveX(ctx)
	}
	now := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	tok, row, err := token.Issue(ctx, d.Client, token.New{Name: "official", Role: auth.DistrictOfficial, District: "东区", TTL: time.Hour}, now)
	if err != nil {
		t.Fatal(err)
	}
	// No GraphQL behind it: only what the token costs is counted.
	h := token.Middleware{Client: d.Client, Now: func() time.Time { return now }}.Wrap(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			v, _ := auth.FromContext(r.Context())
			if len(v.Communities) != 2 {
				t.Errorf("the official sees %v, want both communities of the district", v.Communities)
			}
			w.WriteHeader(http.StatusNoContent)
		}))
	for i, want := range []int64{2, 1, 1} { // the first request also reads the district
		before := count.Statements()
		if got := call(h, "10.0.0.1:1", "Bearer "+tok).Code; got != http.StatusNoContent {
			t.Fatalf("request %d: %d", i+1, got)
		}
		if n := count.Statements() - before; n != want {
			t.Fatalf("request %d took %d statements, want %d", i+1, n, want)
		}
	}
	if err := token.Revoke(ctx, d.Client, row.ID, now); err != nil {
		t.Fatal(err)
	}
	if got := call(h, "10.0.0.1:1", "Bearer "+tok).Code; got != http.StatusUnauthorized {
		t.Fatalf("the request after the revocation: %d, want 401", got)
	}
}

// TestRevokeTwiceAtOnce: of two revocations at once, one revokes and the
// other hears CONFLICT; the revocation time is the first's.
func TestRevokeTwiceAtOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		d := dbtest.Open(t, dsn)
		first := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
		_, row, err := token.Issue(ctx, d.Client, token.New{Name: "x", Role: auth.Admin, TTL: time.Hour}, first)
		if err != nil {
			t.Fatal(err)
		}
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = token.Revoke(ctx, d.Client, row.ID, first.Add(time.Duration(i)*time.Minute))
			}()
		}
		wg.Wait()
		ok, conflicts := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case fail.CodeOf(err) == fail.Conflict:
				conflicts++
			default:
				t.Fatalf("revoke: %v", err)
			}
		}
		if ok != 1 || conflicts != 1 {
			t.Fatalf("%d revocations, %d conflicts; want one of each (%v)", ok, conflicts, errs)
		}
		at := d.Client.AccessToken.GetX(ctx, row.ID).RevokedAt
		if at == nil || (!at.Equal(first) && !at.Equal(first.Add(time.Minute))) {
			t.Fatalf("revoked at %v", at)
		}
		// Once more, later: still CONFLICT, and the time stays.
		if err := token.Revoke(ctx, d.Client, row.ID, first.Add(time.Hour)); fail.CodeOf(err) != fail.Conflict {
			t.Fatalf("a third revocation: %v", err)
		}
		if again := d.Client.AccessToken.GetX(ctx, row.ID).RevokedAt; !again.Equal(*at) {
			t.Fatalf("the revocation time moved from %v to %v", at, again)
		}
		if err := token.Revoke(ctx, d.Client, 999999, first); fail.CodeOf(err) != fail.NotFound {
			t.Fatalf("revoking no token: %v", err)
		}
	})
}
