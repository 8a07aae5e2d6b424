package graph_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"sunlight/internal/demo/demotest"
)

// TestTextRuleRefusesAndStoresNothing: text that breaks the rule of
// package text is BAD_USER_INPUT naming the field and the reason, on every
// mutation that writes text, and nothing is stored (nor audited).
func TestTextRuleRefusesAndStoresNothing(t *testing.T) {
	demotest.Each(t, func(t *testing.T, dsn string) {
		s := demoServer(t, dsn)
		count := func() string {
			var out struct {
				Communities, Assets, Meetings, Residents, Vouchers, Inquiries, AuditEvents struct{ TotalCount int }
			}
			s.ok(`{ communities { totalCount } assets { totalCount } meetings { totalCount } residents { totalCount }
				vouchers { totalCount } inquiries { totalCount } auditEvents { totalCount } }`, nil, &out)
			b, _ := json.Marshal(out)
			return string(b)
		}
		var asset struct {
			Assets struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
		s.ok(`{ assets(first: 1) { edges { node { id } } } }`, nil, &asset)
		before := count()
		mutations := []struct {
			field, query string
			prose        bool
		}{
			{"name", `mutation($s: String!) { createCommunity(input: {name: $s, code: "textrule"}) { id } }`, false},
			{"district", `mutation($s: String!, $c: ID!) { updateCommunity(id: $c, input: {district: $s}) { id } }`, false},
			{"location", `mutation($s: String!, $c: ID!) { createAsset(input: {communityID: $c, name: "新资产", category: OTHER, acquiredOn: "2020-01-01", originalValue: "1.00", location: $s}) { id } }`, false},
			{"custodian", `mutation($s: String!, $a: ID!) { updateAsset(id: $a, input: {custodian: $s}) { id } }`, false},
			{"name", `mutation($s: String!, $c: ID!) { createResident(input: {communityID: $c, name: $s, gender: FEMALE, birthDate: "1960-01-01"}) { id } }`, false},
			{"summary", `mutation($s: String!, $c: ID!) { createVoucher(input: {communityID: $c, number: "T-1", occurredOn: "2026-11-20", direction: EXPENSE, category: "办公用品", amount: "1.00", summary: $s}) { id } }`, false},
			{"minutes", `mutation($s: String!, $c: ID!) { createMeeting(input: {communityID: $c, kind: TWO_COMMITTEES, heldAt: "2026-11-20T10:00:00+08:00", title: "两委会", entitled: 9, attended: 9, minutes: $s}) { id } }`, true},
		}
		bad := []struct {
			name, s, says string
			prose         bool // Prose accepts it
		}{
			{"NUL", "阁子\x00市", "U+0000", false},
			{"a terminal escape", "\x1b[31m红\x1b[0m", "U+001B", false},
			{"a C1 control", "a\u009bb", "U+009B", false},
			{"a leading space", " 阁子市", "white space", false},
			{"a trailing ideographic space", "阁子市\u3000", "white space", false},
			{"blank", "   ", "blank", false},
			{"a line break", "一\n二", "U+000A", true},
			{"a CRLF", "一\r\n二", "U+000D", false},
			{"a bidi override", "a\u202eb", "bidirectional", false},
			{"a replacement character", "阁\ufffd市", "U+FFFD", false},
		}
		for _, m := range mutations {
			for _, b := range bad {
				if m.prose && b.prose {
					continue
				}
				t.Run(m.field+"/"+b.name, func(t *testing.T) {
					r := s.do(m.query, map[string]any{"s": b.s, "c": s.gz, "a": asset.Assets.Edges[0].Node.ID})
					if r.code() != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, m.field) || !strings.Contains(r.Errors[0].Message, b.says) {
						t.Fatalf("%+v, want BAD_USER_INPUT naming %s and saying %q", r.Errors, m.field, b.says)
					}
				})
			}
		}
		// Time is exactly RFC 3339 with an offset: "" is not the zero time.
		for _, held := range []string{"", " 2026-11-20T10:00:00+08:00", "2026-11-20 10:00", "2026-11-20"} {
			t.Run("heldAt "+held, func(t *testing.T) {
				r := s.do(`mutation($h: Time!, $c: ID!) { createMeeting(input: {communityID: $c, kind: OTHER, heldAt: $h, title: "会", entitled: 1, attended: 1}) { id } }`,
					map[string]any{"h": held, "c": s.gz})
				if r.code() != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, "RFC 3339") {
					t.Fatalf("%+v, want BAD_USER_INPUT saying RFC 3339", r.Errors)
				}
			})
		}
		if after := count(); after != before {
			t.Fatalf("refused text changed the data: %s → %s", before, after)
		}
		// Minutes may break lines.
		var met struct{ CreateMeeting struct{ Minutes string } }
		s.ok(mutations[len(mutations)-1].query[:strings.Index(mutations[len(mutations)-1].query, "{ id }")]+"{ minutes } }",
			map[string]any{"s": "一、预算\n二、维修", "c": s.gz}, &met)
		if met.CreateMeeting.Minutes != "一、预算\n二、维修" {
			t.Fatalf("minutes stored as %q", met.CreateMeeting.Minutes)
		}
	})
}

// TestInvalidUTF8IsRefused: a request with bytes that are not UTF-8, in a
// string literal of the document or in a variable, POST or GET, is refused
// as the caller's error instead of becoming U+FFFD; nothing is written.
func TestInvalidUTF8IsRefused(t *testing.T) {
	demotest.Each(t, func(t *testing.T, dsn string) {
		s := demoServer(t, dsn)
		var before struct{ Communities struct{ TotalCount int } }
		s.ok(`{ communities { totalCount } }`, nil, &before)
		post := func(body string) *httptest.ResponseRecorder {
			req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			s.h.ServeHTTP(rec, req)
			return rec
		}
		get := func(rawQuery string) *httptest.ResponseRecorder {
			req := httptest.NewRequest(http.MethodGet, "/graphql?"+rawQuery, nil)
			rec := httptest.NewRecorder()
			s.h.ServeHTTP(rec, req)
			return rec
		}
		tests := []struct {
			name string
			rec  func() *httptest.ResponseRecorder
		}{
			{"in a string literal", func() *httptest.ResponseRecorder {
				return post(`{"query":"mutation { createCommunity(input: {name: \"阁` + "\xff" + `\", code: \"badutf\"}) { id } }"}`)
			}},
			{"in a variable", func() *httptest.ResponseRecorder {
				return post(`{"query":"mutation($n: String!) { createCommunity(input: {name: $n, code: \"badutf\"}) { id } }","variables":{"n":"阁` + "\xc3\x28" + `"}}`)
			}},
			{"a truncated character", func() *httptest.ResponseRecorder {
				return post(`{"query":"{ communities(where: {name: \"` + "\xe9\x98" + `\"}) { totalCount } }"}`)
			}},
			{"in a GET parameter", func() *httptest.ResponseRecorder {
				return get("query=" + url.QueryEscape(`{ communities(where: {name: "阁`) + "%FF" + url.QueryEscape(`"}) { totalCount } }`))
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				rec := tt.rec()
				var r response
				if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
					t.Fatalf("HTTP %d: %q", rec.Code, rec.Body)
				}
				if rec.Code != http.StatusBadRequest || r.code() != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, "not valid UTF-8") {
					t.Fatalf("HTTP %d, %+v; want 400 BAD_USER_INPUT saying it is not valid UTF-8", rec.Code, r.Errors)
				}
				if bytes.Contains(rec.Body.Bytes(), []byte(`"data"`)) {
					t.Fatalf("a request error with data: %s", rec.Body)
				}
			})
		}
		var after struct{ Communities struct{ TotalCount int } }
		s.ok(`{ communities { totalCount } }`, nil, &after)
		if after != before {
			t.Fatalf("communities %d → %d", before.Communities.TotalCount, after.Communities.TotalCount)
		}
	})
}

// TestNULInAFilterIsTheCallersError: PostgreSQL cannot hold U+0000 in
// text, and says so for a filter too; that is BAD_USER_INPUT, not an
// internal error (SQLite simply finds nothing).
func TestNULInAFilterIsTheCallersError(t *testing.T) {
	demotest.Each(t, func(t *testing.T, dsn string) {
		s := demoServer(t, dsn)
		r := s.do(`query($n: String!) { communities(where: {nameContains: $n}) { totalCount } }`, map[string]any{"n": "阁\x00"})
		if len(r.Errors) > 0 && (r.code() != "BAD_USER_INPUT" || !strings.Contains(r.Errors[0].Message, "U+0000")) {
			t.Fatalf("%+v, want no error or BAD_USER_INPUT naming U+0000", r.Errors)
		}
		if strings.HasPrefix(dsn, "postgres") && len(r.Errors) == 0 {
			t.Fatalf("PostgreSQL took a NUL: %s", r.Data)
		}
	})
}
