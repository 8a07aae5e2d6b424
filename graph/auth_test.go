package graph_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"sunlight/ent"
	"sunlight/ent/asset"
	"sunlight/ent/community"
	"sunlight/ent/resident"
	"sunlight/ent/signer"
	"sunlight/ent/voucher"
	"sunlight/graph"
	"sunlight/internal/access/auth"
	"sunlight/internal/access/token"
	"sunlight/internal/demo"
	"sunlight/internal/demo/demotest"
	"sunlight/internal/ledger"
	"sunlight/internal/ledger/signing"
	"sunlight/internal/storage/db"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/web/server"
)

// caller is one role of the matrix, with its bearer token ("" for public).
type caller struct {
	name  string
	token string
	// own is the community a confined caller may see ("" for not confined).
	own []string
}

type authWorld struct {
	t       *testing.T
	h       http.Handler
	client  *ent.Client
	d       *db.DB
	callers map[string]caller
	ids     map[string]int // community code → ID
	bodies  map[string][]string
}

func newAuthWorld(t *testing.T, dsn string) *authWorld {
	t.Helper()
	s := demoServer(t, dsn)
	ctx := context.Background()
	now := calendar.StartOf(demo.Today)
	w := &authWorld{t: t, client: s.d.Client, callers: map[string]caller{}, ids: map[string]int{}, bodies: map[string][]string{}}
	w.h = newEdge(t, s.d, server.Config{GraphQL: graph.Config{Now: func() time.Time { return now }}})
	w.d = s.d
	for _, c := range s.d.Client.Community.Query().AllX(ctx) {
		w.ids[c.Code] = c.ID
	}
	issue := func(name string, n token.New, own ...string) {
		n.Name, n.TTL = name, time.Hour
		tok, _, err := token.Issue(ctx, s.d.Client, n, now)
		if err != nil {
			t.Fatalf("issue %s: %v", name, err)
		}
		w.callers[name] = caller{name: name, token: tok, own: own}
	}
	w.callers["public"] = caller{name: "public"}
	issue("admin", token.New{Role: auth.Admin})
	issue("official", token.New{Role: auth.DistrictOfficial, District: "南湖新区"}, "gezishi", "longshan", "wanghu", "fengqiao")
	issue("other-official", token.New{Role: auth.DistrictOfficial, District: "北湖新区"})
	issue("staff", token.New{Role: auth.CommunityStaff, Community: "gezishi"}, "gezishi")
	issue("supervisor", token.New{Role: auth.Supervisor, Community: "gezishi"}, "gezishi")
	issue("neighbour-staff", token.New{Role: auth.CommunityStaff, Community: "longshan"}, "longshan")
	return w
}

func (w *authWorld) do(who, query string, vars map[string]any) response {
	w.t.Helper()
	c := w.callers[who]
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, req)
	if rec.Code >= 500 {
		w.t.Fatalf("%s: HTTP %d: %s", who, rec.Code, rec.Body)
	}
	w.bodies[who] = append(w.bodies[who], rec.Body.String())
	var r response
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
		w.t.Fatalf("%s: decode %q: %v", who, rec.Body, err)
	}
	return r
}

// connections of the API: every entity reachable from Query.
var connections = []struct {
	field    string
	personal bool // holds personal or internal data: never public
	public   string
}{
	{"communities", false, ""}, {"assets", false, ""}, {"assetValuations", false, ""},
	{"markets", false, ""}, {"stalls", false, ""}, {"contracts", false, ""},
	{"matters", false, ""}, {"matterDisclosures", false, ""}, {"meetings", false, ""},
	{"residentGroups", false, ""}, {"reports", false, ""}, {"vouchers", false, ""},
	{"residents", true, ""}, {"pointEvents", true, ""}, {"benefits", true, ""},
	{"inquiries", true, ""}, {"jobRuns", true, ""}, {"auditEvents", true, ""},
}

// supervisorSees are what a supervisor may read: what it signs.
var supervisorSees = map[string]bool{"communities": true, "vouchers": true}

func TestRoleMatrix(t *testing.T) {
	demotest.Each(t, func(t *testing.T, dsn string) {
		w := newAuthWorld(t, dsn)
		for _, conn := range connections {
			for _, who := range []string{"admin", "public", "official", "other-official", "staff", "supervisor", "neighbour-staff"} {
				t.Run(conn.field+"/"+who, func(t *testing.T) {
					field := "communityID"
					if conn.field == "communities" {
						field = "id"
					}
					if conn.field == "auditEvents" {
						field = "communityID"
					}
					r := w.do(who, fmt.Sprintf(`{ x: %s(first: 500) { totalCount edges { node { ... on Node { id } %s } } } }`, conn.field, selectCommunity(conn.field, field)), nil)
					allowed := true
					switch who {
					case "public":
						allowed = !conn.personal
					case "supervisor":
						allowed = supervisorSees[conn.field]
					}
					if !allowed {
						if r.code() != "FORBIDDEN" {
							t.Fatalf("%s read %s: code %q, want FORBIDDEN (%s)", who, conn.field, r.code(), r.Data)
						}
						return
					}
					if len(r.Errors) > 0 {
						t.Fatalf("%s may read %s but got %+v", who, conn.field, r.Errors)
					}
					var out struct {
						X struct {
							TotalCount int
							Edges      []struct{ Node map[string]any }
						}
					}
					_ = json.Unmarshal(r.Data, &out)
					own := w.callers[who].own
					if strings.HasPrefix(who, "other") && out.X.TotalCount != 0 {
						t.Fatalf("an official of another district sees %d %s", out.X.TotalCount, conn.field)
					}
					if len(own) == 0 {
						return
					}
					allowedIDs := map[string]bool{}
					for _, code := range own {
						allowedIDs[fmt.Sprint(w.ids[code])] = true
					}
					for _, e := range out.X.Edges {
						if cid, ok := e.Node["cid"]; ok && cid != nil && !allowedIDs[fmt.Sprint(cid)] {
							t.Fatalf("%s received a %s of community %v", who, conn.field, cid)
						}
					}
				})
			}
		}

		t.Run("node with a guessed global ID", func(t *testing.T) {
			ctx := context.Background()
			longshan := w.client.Community.Query().Where(community.Code("longshan")).OnlyX(ctx)
			ids := []int{
				longshan.ID,
				w.client.Asset.Query().Where(asset.CommunityID(longshan.ID)).FirstIDX(ctx),
				w.client.Voucher.Query().Where(voucher.CommunityID(longshan.ID)).FirstIDX(ctx),
			}
			for _, id := range ids {
				r := w.do("staff", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id})
				if strings.Contains(string(r.Data), fmt.Sprint(id)) || r.code() != "NOT_FOUND" {
					t.Fatalf("gezishi staff asked node(%d) of longshan: %s %+v", id, r.Data, r.Errors)
				}
				r = w.do("staff", `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": []int{id}})
				if strings.Contains(string(r.Data), fmt.Sprint(id)) {
					t.Fatalf("nodes(%d) leaked to gezishi staff: %s", id, r.Data)
				}
				if r := w.do("neighbour-staff", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id}); !strings.Contains(string(r.Data), fmt.Sprint(id)) {
					t.Fatalf("longshan staff cannot read its own node %d: %s %+v", id, r.Data, r.Errors)
				}
			}
			gz := w.client.Resident.Query().Where(resident.HasCommunityWith(community.Code("gezishi"))).FirstIDX(ctx)
			if r := w.do("public", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": gz}); strings.Contains(string(r.Data), fmt.Sprint(gz)) {
				t.Fatalf("the public read a resident by node(id:)")
			}
		})

		t.Run("nested edges", func(t *testing.T) {
			r := w.do("public", `{ communities { edges { node { residents { totalCount } } } } }`, nil)
			if r.code() != "FORBIDDEN" {
				t.Fatalf("public nested residents: %q %s", r.code(), r.Data)
			}
			r = w.do("staff", `{ communities { totalCount edges { node { code vouchers { totalCount } } } } }`, nil)
			if strings.Contains(string(r.Data), "longshan") || !strings.Contains(string(r.Data), "gezishi") {
				t.Fatalf("staff communities: %s", r.Data)
			}
			r = w.do("public", `{ vouchers(where: {status: DRAFT}) { totalCount } }`, nil)
			if !strings.Contains(string(r.Data), `"totalCount":0`) {
				t.Fatalf("the public sees draft vouchers: %s", r.Data)
			}
		})

		t.Run("aggregates", func(t *testing.T) {
			vars := map[string]any{"c": w.ids["longshan"]}
			q := `query($c: ID!) { ledgerTotals(communityID: $c, period: "2026-10") { expense } }`
			if r := w.do("staff", q, vars); r.code() != "NOT_FOUND" {
				t.Fatalf("gezishi staff got longshan's totals: %s %+v", r.Data, r.Errors)
			}
			for _, who := range []string{"public", "official", "neighbour-staff", "admin"} {
				if r := w.do(who, q, vars); len(r.Errors) > 0 || !strings.Contains(string(r.Data), "expense") {
					t.Fatalf("%s cannot read longshan's totals: %+v", who, r.Errors)
				}
			}
			r := w.do("public", `query($c: ID!) { benefitTotals(communityID: $c, period: "2026-10") { amount } }`, map[string]any{"c": w.ids["gezishi"]})
			if len(r.Errors) > 0 {
				t.Fatalf("public benefit totals: %+v", r.Errors)
			}
		})

		t.Run("writes", func(t *testing.T) {
			create := `mutation($c: ID!, $n: String!) { createAsset(input: {communityID: $c, name: $n, category: OTHER, acquiredOn: "2026-01-01", originalValue: "1.00"}) { id } }`
			tests := []struct {
				who, community, code string
			}{
				{"admin", "longshan", ""}, {"staff", "gezishi", ""}, {"staff", "longshan", "FORBIDDEN"},
				{"public", "gezishi", "FORBIDDEN"}, {"official", "gezishi", "FORBIDDEN"}, {"supervisor", "gezishi", "FORBIDDEN"},
			}
			for i, tt := range tests {
				r := w.do(tt.who, create, map[string]any{"c": w.ids[tt.community], "n": fmt.Sprint("测试资产", i)})
				if r.code() != tt.code {
					t.Errorf("%s creating an asset in %s: code %q, want %q (%+v)", tt.who, tt.community, r.code(), tt.code, r.Errors)
				}
			}
			other := w.client.Asset.Query().Where(asset.HasCommunityWith(community.Code("longshan"))).FirstX(context.Background())
			r := w.do("staff", `mutation($id: ID!) { updateAsset(id: $id, input: {name: "改名"}) { id } }`, map[string]any{"id": other.ID})
			if r.code() == "" {
				t.Fatal("gezishi staff renamed a longshan asset")
			}
			if got := w.client.Asset.GetX(context.Background(), other.ID); got.Name != other.Name {
				t.Fatalf("the asset was renamed to %s", got.Name)
			}
			r = w.do("staff", `mutation($id: ID!) { updateCommunity(id: $id, input: {minSignatures: 1}) { id } }`, map[string]any{"id": w.ids["gezishi"]})
			if r.code() != "FORBIDDEN" {
				t.Fatalf("staff lowered its own minimum signatures: %+v", r.Errors)
			}
			draft := w.client.Voucher.Query().Where(voucher.StatusEQ(voucher.StatusDRAFT), voucher.HasCommunityWith(community.Code("gezishi"))).FirstX(context.Background())
			// A supervisor carries a supervisor's signature, made with the
			// demo's key of 许德胜 over the payload the API gives.
			ctx := context.Background()
			who := w.client.Signer.Query().Where(signer.Name("许德胜"), signer.HasCommunityWith(community.Code("gezishi"))).OnlyX(ctx)
			p, err := ledger.PayloadFor(ctx, w.client, draft.ID, who.ID)
			if err != nil {
				t.Fatal(err)
			}
			sign := `mutation($v: ID!, $s: ID!, $sig: String!) { signVoucher(input: {voucherID: $v, signerID: $s, signature: $sig}) { status } }`
			vars := map[string]any{"v": draft.ID, "s": who.ID, "sig": signing.Encode(ed25519.Sign(demo.SignerKey("gezishi", "许德胜"), p.Bytes))}
			if r := w.do("supervisor", sign, vars); len(r.Errors) > 0 {
				t.Fatalf("the supervisor cannot sign: %+v", r.Errors)
			}
			if r := w.do("supervisor", `mutation($v: ID!) { postVoucher(id: $v) { id } }`, map[string]any{"v": draft.ID}); r.code() == "" {
				t.Fatal("a supervisor posted a voucher")
			}
			// Nobody, with a token or without, can sign for another: a
			// signature made with any key but the signer's is refused.
			before := w.client.Signature.Query().CountX(ctx)
			_, forger, _ := ed25519.GenerateKey(rand.Reader)
			cosigner := w.client.Signer.Query().Where(signer.Name("任秋菊"), signer.HasCommunityWith(community.Code("gezishi"))).OnlyX(ctx)
			p, err = ledger.PayloadFor(ctx, w.client, draft.ID, cosigner.ID)
			if err != nil {
				t.Fatal(err)
			}
			forged := map[string]any{"v": draft.ID, "s": cosigner.ID, "sig": signing.Encode(ed25519.Sign(forger, p.Bytes))}
			for _, role := range []string{"public", "staff", "admin"} {
				if r := w.do(role, sign, forged); r.code() != "BAD_USER_INPUT" {
					t.Fatalf("%s signed for 任秋菊 with another key: %s %+v", role, r.Data, r.Errors)
				}
			}
			if after := w.client.Signature.Query().CountX(ctx); after != before {
				t.Fatalf("a refused signature was written: %d → %d", before, after)
			}
		})

		t.Run("personal data", func(t *testing.T) {
			q := `{ residents(first: 500) { edges { node { name idNumber phone idNumberMasked phoneMasked } } } }`
			r := w.do("official", q, nil)
			if len(r.Errors) > 0 || !strings.Contains(string(r.Data), `"idNumber":null`) || !strings.Contains(string(r.Data), "***") {
				t.Fatalf("official residents: %.300s %+v", r.Data, r.Errors)
			}
			r = w.do("staff", q, nil)
			if strings.Contains(string(r.Data), `"idNumber":null`) {
				t.Fatal("the community's own staff do not see its residents' ID numbers")
			}
			w.do("public", q, nil)
			w.do("public", `{ communities { edges { node { residents { edges { node { idNumber phone } } } } } } }`, nil)
			residents := w.client.Resident.Query().AllX(context.Background())
			for _, who := range []string{"public", "official", "other-official"} {
				all := strings.Join(w.bodies[who], "\n")
				for _, res := range residents {
					if strings.Contains(all, res.IDNumber) || strings.Contains(all, res.Phone) {
						t.Fatalf("a full ID number or phone reached %s", who)
					}
				}
			}
		})
	})
}

func selectCommunity(conn, field string) string {
	switch conn {
	case "communities":
		return "cid: id"
	case "auditEvents":
		return "cid: communityID"
	default:
		return "cid: " + field
	}
}

func TestTokens(t *testing.T) {
	w := newAuthWorld(t, demotest.DSN(t, dbtest.SQLite))
	r := w.do("staff", `{ viewer { role name communityIDs } }`, nil)
	if !strings.Contains(string(r.Data), "COMMUNITY_STAFF") {
		t.Fatalf("viewer: %s", r.Data)
	}
	for _, h := range []string{"Bearer slt_nonsense", "Basic abc", "Bearer "} {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ viewer { role } }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", h)
		rec := httptest.NewRecorder()
		w.h.ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), "UNAUTHENTICATED") {
			t.Fatalf("Authorization %q: %d %s", h, rec.Code, rec.Body)
		}
	}
	// A revoked token stops working at once; the hash, not the token, is stored.
	ctx := context.Background()
	tok := w.callers["staff"].token
	stored := w.client.AccessToken.Query().AllX(ctx)
	for _, s := range stored {
		if s.TokenHash == tok {
			t.Fatal("a token is stored in clear")
		}
	}
	id := 0
	for _, s := range stored {
		if s.TokenHash == token.Hash(tok) {
			id = s.ID
		}
	}
	if err := token.Revoke(ctx, w.client, id, time.Now()); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ viewer { role } }"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok)
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("a revoked token still works: %d", rec.Code)
	}
	// Required authentication refuses anonymous callers.
	strict := newEdge(t, w.d, server.Config{RequireAuth: true})
	req = httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ viewer { role } }"}`))
	req.Header.Set("Content-Type", "application/json")
	rec = httptest.NewRecorder()
	strict.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("anonymous call with required auth: %d", rec.Code)
	}
}

func TestForbiddenSaysWhy(t *testing.T) {
	w := newAuthWorld(t, demotest.DSN(t, dbtest.SQLite))
	r := w.do("public", `{ residents { totalCount } }`, nil)
	if r.code() != "FORBIDDEN" || r.Errors[0].Message != "Resident records hold personal or internal data; a token of the community's staff may read them" {
		t.Fatalf("refusal: %+v", r.Errors)
	}
}
