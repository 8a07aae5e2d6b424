package graph_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"entgo.io/ent/dialect"

	"sunlight/ent"
	"sunlight/ent/auditevent"
	"sunlight/ent/meeting"
	"sunlight/ent/signature"
	"sunlight/ent/signer"
	"sunlight/ent/voucher"
	"sunlight/graph"
	"sunlight/internal/access/auth"
	"sunlight/internal/access/token"
	"sunlight/internal/governance"
	"sunlight/internal/ledger"
	"sunlight/internal/ledger/signing/signingtest"
	"sunlight/internal/storage/db"
	"sunlight/internal/storage/dbtest"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/money"
	"sunlight/internal/web/server"
)

// fireAtOnce serves h over a real HTTP listener and sends it the n
// requests made by newRequest (given the server's base URL and the request's
// index) at the same moment: every request waits on one barrier and all are
// released together, so they overlap in the server and race in the
// database. It returns the n responses' status codes and bodies, in request
// order.
func fireAtOnce(t *testing.T, h http.Handler, n int, newRequest func(base string, i int) *http.Request) []firedResponse {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	// One connection per request, opened before the barrier falls: the race
	// is between the requests, not the dials.
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n, MaxConnsPerHost: n}}
	defer client.CloseIdleConnections()

	out := make([]firedResponse, n)
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		req := newRequest(srv.URL, i)
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			resp, err := client.Do(req)
			if err != nil {
				out[i].err = err
				return
			}
			defer resp.Body.Close()
			out[i].status = resp.StatusCode
			out[i].body, out[i].err = io.ReadAll(resp.Body)
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
	for i, r := range out {
		if r.err != nil {
			t.Fatalf("request %d: %v", i, r.err)
		}
	}
	return out
}

// firedResponse is one response of fireAtOnce.
type firedResponse struct {
	status int
	body   []byte
	err    error
}

// gqlAtOnce sends the same GraphQL operation n times at once with the bearer
// token tok and decodes the responses.
func gqlAtOnce(t *testing.T, h http.Handler, n int, tok, query string, vars map[string]any) []response {
	t.Helper()
	ops := make([]gqlOp, n)
	for i := range ops {
		ops[i] = gqlOp{query, vars}
	}
	return gqlEachAtOnce(t, h, tok, ops)
}

// gqlOp is a GraphQL operation and its variables.
type gqlOp struct {
	query string
	vars  map[string]any
}

// gqlEachAtOnce sends the operations ops at once, as gqlAtOnce, for races
// between different mutations.
func gqlEachAtOnce(t *testing.T, h http.Handler, tok string, ops []gqlOp) []response {
	t.Helper()
	bodies := make([][]byte, len(ops))
	for i, op := range ops {
		b, err := json.Marshal(map[string]any{"query": op.query, "variables": op.vars})
		if err != nil {
			t.Fatal(err)
		}
		bodies[i] = b
	}
	fired := fireAtOnce(t, h, len(ops), func(base string, i int) *http.Request {
		req, err := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(bodies[i]))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		return req
	})
	out := make([]response, len(ops))
	for i, f := range fired {
		if f.status >= 500 {
			t.Fatalf("request %d: HTTP %d: %s", i, f.status, f.body)
		}
		if err := json.Unmarshal(f.body, &out[i]); err != nil {
			t.Fatalf("request %d: decode %q: %v", i, f.body, err)
		}
	}
	return out
}

// outcome tallies concurrent responses: how many succeeded, and the
// failures by code and message.
type outcome struct {
	ok       int
	failures map[string]int // "CODE: message" → count
}

func tally(rs []response) outcome {
	o := outcome{failures: map[string]int{}}
	for _, r := range rs {
		if len(r.Errors) == 0 {
			o.ok++
			continue
		}
		o.failures[r.code()+": "+r.Errors[0].Message]++
	}
	return o
}

// expectOnce holds o to one success and n-1 CONFLICT errors whose message
// contains want.
func (o outcome) expectOnce(t *testing.T, n int, want string) {
	t.Helper()
	if o.ok != 1 {
		t.Errorf("%d of %d requests succeeded, want exactly 1 (failures: %v)", o.ok, n, o.failures)
	}
	for msg, k := range o.failures {
		if !strings.HasPrefix(msg, "CONFLICT: ") || !strings.Contains(msg, want) {
			t.Errorf("%d request(s) failed with %q, want CONFLICT saying %q", k, msg, want)
		}
	}
}

// gate holds one row of a PostgreSQL test database locked (FOR UPDATE) from
// a connection of its own, so that requests fired at that row all queue on
// it however fast the first one would otherwise be; once as many are
// waiting for a lock as the pool lets in, it lets go and they proceed
// together. It makes the race of a check-then-write certain instead of
// likely. On SQLite, whose write transactions run one at a time anyway, it
// does nothing.
func (w *onceWorld) gate(table string, id int) { w.gateFor(table, id, concurrent) }

// gateFor is gate for n requests.
func (w *onceWorld) gateFor(table string, id, n int) {
	w.t.Helper()
	if w.d.Dialect != dialect.Postgres {
		return
	}
	t := w.t
	conn, err := sql.Open("pgx", w.dsn)
	if err != nil {
		t.Fatalf("open gate connection: %v", err)
	}
	tx, err := conn.BeginTx(w.ctx, nil)
	if err != nil {
		t.Fatalf("begin gate: %v", err)
	}
	// table is one of the tests' own constants, never input.
	if _, err := tx.ExecContext(w.ctx, "SELECT id FROM "+table+" WHERE id = $1 FOR UPDATE", id); err != nil {
		t.Fatalf("lock %s %d: %v", table, id, err)
	}
	want := min(n, w.d.SQL.Stats().MaxOpenConnections)
	released := make(chan struct{})
	t.Cleanup(func() { <-released })
	go func() {
		defer close(released)
		defer conn.Close()
		defer tx.Rollback()
		deadline := time.Now().Add(30 * time.Second)
		for {
			var waiting int
			err := conn.QueryRowContext(w.ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting)
			if err != nil {
				t.Errorf("count requests waiting at the gate: %v", err)
				return
			}
			if waiting >= want {
				return
			}
			if time.Now().After(deadline) {
				t.Errorf("only %d requests waited at the gate of %s %d, want %d", waiting, table, id, want)
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
}

// onceWorld is a database with one community of two required signers,
// served through the token middleware with an ADMIN token.
type onceWorld struct {
	t      *testing.T
	d      *db.DB
	h      http.Handler
	admin  string
	com    *ent.Community
	now    time.Time
	ctx    context.Context
	dsn    string
	signed int // vouchers made so far, for their numbers
	// signers are enrolled on first use, by name, with keys of their own.
	signers map[string]signingtest.Signer
}

// signer is the enrolled signer name, enrolled on first use.
func (w *onceWorld) signer(name string) signingtest.Signer {
	w.t.Helper()
	if s, ok := w.signers[name]; ok {
		return s
	}
	if w.signers == nil {
		w.signers = map[string]signingtest.Signer{}
	}
	s := signingtest.Enrol(w.ctx, w.t, w.d.Client, w.com.ID, signer.CapacityACCOUNTANT, name)[0]
	w.signers[name] = s
	return s
}

func newOnceWorld(t *testing.T, dsn string) *onceWorld {
	t.Helper()
	ctx := context.Background()
	d := dbtest.Open(t, dsn)
	now := calendar.StartOf(calendar.Date(2026, 11, 25)).Add(10 * time.Hour)
	clock := func() time.Time { return now }
	com, err := d.Client.Community.Create().SetName("阁子市社区").SetCode("gezishi").SetDistrict("南湖新区").
		SetMinSignatures(2).Save(ctx)
	if err != nil {
		t.Fatalf("create community: %v", err)
	}
	tok, _, err := token.Issue(ctx, d.Client, token.New{Name: "admin", Role: auth.Admin, TTL: time.Hour}, now)
	if err != nil {
		t.Fatalf("issue admin token: %v", err)
	}
	// The whole server, as serve builds it: the token, the limits, the
	// transaction per mutation.
	// Ten requests queued on one row lock take turns: on a loaded machine
	// the last can wait longer than the default 10 s request timeout, which
	// would make it a TIMEOUT instead of the CONFLICT under test.
	h := newEdge(t, d, server.Config{GraphQL: graph.Config{Now: clock}, Timeout: time.Minute})
	warmPool(t, d, concurrent)
	return &onceWorld{t: t, d: d, h: h, admin: tok, com: com, now: now, ctx: ctx, dsn: dsn}
}

// voucher creates a draft dated on day, signed by signers.
func (w *onceWorld) voucher(day time.Time, signers ...string) *ent.Voucher {
	w.t.Helper()
	w.signed++
	v, err := w.d.Client.Voucher.Create().SetCommunityID(w.com.ID).
		SetNumber(fmt.Sprintf("记-%s-%03d", calendar.MonthOf(day), w.signed)).
		SetOccurredOn(day).SetDirection(voucher.DirectionEXPENSE).SetCategory("办公用品").
		SetAmount(money.Yuan(560)).SetSummary("会议室桌椅").Save(w.ctx)
	if err != nil {
		w.t.Fatalf("create voucher: %v", err)
	}
	for _, s := range signers {
		if v, err = w.signer(s).Sign(w.ctx, w.d.Client, v.ID, w.now); err != nil {
			w.t.Fatalf("sign voucher %s: %v", v.Number, err)
		}
	}
	return v
}

// posted creates a voucher dated on day and posts it.
func (w *onceWorld) posted(day time.Time) *ent.Voucher {
	w.t.Helper()
	v := w.voucher(day, "会计甲", "出纳乙")
	v, err := ledger.Post(w.ctx, w.d.Client, v.ID, w.now)
	if err != nil {
		w.t.Fatalf("post voucher %s: %v", v.Number, err)
	}
	return v
}

// trail counts the audit events of entity (all of its records when id is
// 0) with action.
func (w *onceWorld) trail(entity string, id int, action auditevent.Action) int {
	w.t.Helper()
	q := w.d.Client.AuditEvent.Query().Where(auditevent.Entity(entity), auditevent.ActionEQ(action))
	if id != 0 {
		q = q.Where(auditevent.EntityID(id))
	}
	return q.CountX(w.ctx)
}

const concurrent = 10

// warmPool opens n connections at once and returns them to the pool, as
// on a server that has been running: otherwise the first request finishes
// while the others are still connecting, and nothing races.
func warmPool(t *testing.T, d *db.DB, n int) {
	t.Helper()
	if limit := d.SQL.Stats().MaxOpenConnections; limit > 0 {
		n = min(n, limit)
	}
	conns := make([]*sql.Conn, 0, n)
	for range n {
		c, err := d.SQL.Conn(context.Background())
		if err != nil {
			t.Fatalf("open connection: %v", err)
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		c.Close()
	}
}

func gid(id int) string { return strconv.Itoa(id) }

func TestConcurrentPostVoucher(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		w := newOnceWorld(t, dsn)
		v := w.voucher(calendar.Date(2026, 11, 10), "会计甲", "出纳乙")
		before := w.trail("Voucher", v.ID, auditevent.ActionUPDATE)
		w.gate("vouchers", v.ID)
		rs := gqlAtOnce(t, w.h, concurrent, w.admin, `mutation($v: ID!) { postVoucher(id: $v) { status postedAt } }`, map[string]any{"v": gid(v.ID)})
		o := tally(rs)
		events := w.trail("Voucher", v.ID, auditevent.ActionUPDATE) - before
		t.Logf("postVoucher ×%d: %d succeeded, %d audit events; failures %v", concurrent, o.ok, events, o.failures)
		o.expectOnce(t, concurrent, "voucher 记-2026-11-001 is already posted (at 2026-11-25 10:00)")
		if events != 1 {
			t.Errorf("%d audit events for posting voucher %s, want 1", events, v.Number)
		}
	})
}

func TestConcurrentCloseMonth(t *testing.T) {
	const closeOct = `mutation($c: ID!) { closeMonth(communityID: $c, month: "2026-10") { closedThrough } }`
	for _, tc := range []struct {
		name     string
		vouchers int
	}{
		{"without vouchers", 0},
		{"with vouchers", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, dsn string) {
				w := newOnceWorld(t, dsn)
				for i := range tc.vouchers {
					w.posted(calendar.Date(2026, 10, 5+i))
				}
				before := w.trail("Community", w.com.ID, auditevent.ActionUPDATE)
				w.gate("communities", w.com.ID)
				o := tally(gqlAtOnce(t, w.h, concurrent, w.admin, closeOct, map[string]any{"c": gid(w.com.ID)}))
				events := w.trail("Community", w.com.ID, auditevent.ActionUPDATE) - before
				t.Logf("closeMonth ×%d %s: %d succeeded, %d audit events; failures %v", concurrent, tc.name, o.ok, events, o.failures)
				o.expectOnce(t, concurrent, "2026-10 is already closed for 阁子市社区")
				if events != 1 {
					t.Errorf("%d audit events for closing 2026-10, want 1", events)
				}
			})
		})
	}
}

func TestConcurrentSignVoucher(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		w := newOnceWorld(t, dsn)
		v := w.voucher(calendar.Date(2026, 11, 10), "会计甲")
		before := w.trail("Signature", 0, auditevent.ActionCREATE)
		w.gate("vouchers", v.ID)
		s := w.signer("出纳乙")
		// The same signature sent ten times at once, by no one in particular:
		// the signature is the credential.
		o := tally(gqlAtOnce(t, w.h, concurrent, "",
			`mutation($v: ID!, $s: ID!, $sig: String!) { signVoucher(input: {voucherID: $v, signerID: $s, signature: $sig}) { status } }`,
			map[string]any{"v": gid(v.ID), "s": gid(s.ID), "sig": s.Signature(w.ctx, t, w.d.Client, v.ID)}))
		events := w.trail("Signature", 0, auditevent.ActionCREATE) - before
		sigs := w.d.Client.Signature.Query().Where(signature.VoucherID(v.ID), signature.Signer("出纳乙")).CountX(w.ctx)
		t.Logf("signVoucher ×%d by one signer: %d succeeded, %d signatures, %d audit events; failures %v", concurrent, o.ok, sigs, events, o.failures)
		o.expectOnce(t, concurrent, "出纳乙 has already signed voucher 记-2026-11-001")
		if sigs != 1 || events != 1 {
			t.Errorf("出纳乙 has %d signatures on voucher %s with %d audit events, want 1 and 1", sigs, v.Number, events)
		}
	})
}

func TestConcurrentReverseVoucher(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		w := newOnceWorld(t, dsn)
		v := w.posted(calendar.Date(2026, 11, 10))
		before := w.trail("Voucher", 0, auditevent.ActionCREATE)
		w.gate("vouchers", v.ID)
		o := tally(gqlAtOnce(t, w.h, concurrent, w.admin,
			`mutation($v: ID!) { reverseVoucher(input: {voucherID: $v, number: "记-2026-11-900", occurredOn: "2026-11-25", reason: "重复入账"}) { id } }`,
			map[string]any{"v": gid(v.ID)}))
		events := w.trail("Voucher", 0, auditevent.ActionCREATE) - before
		reversals := w.d.Client.Voucher.Query().Where(voucher.ReversesID(v.ID)).CountX(w.ctx)
		t.Logf("reverseVoucher ×%d: %d succeeded, %d reversals, %d audit events; failures %v", concurrent, o.ok, reversals, events, o.failures)
		o.expectOnce(t, concurrent, "voucher 记-2026-11-001 has already been reversed")
		if reversals != 1 || events != 1 {
			t.Errorf("voucher %s has %d reversals with %d audit events, want 1 and 1", v.Number, reversals, events)
		}
	})
}

func TestConcurrentRecordMatterStage(t *testing.T) {
	meetingStage := func(stage string) string {
		return `mutation($m: ID!) { recordMatterStage(input: {matterID: $m, stage: ` + stage + `, meeting: {heldAt: "2026-11-20T10:00:00+08:00", title: "会议", entitled: 9, attended: 9, votesFor: 9}}) { stage } }`
	}
	for _, tc := range []struct {
		name   string
		before int // stages recorded before the race
		query  string
	}{
		{"a meeting (PROPOSAL)", 0, meetingStage("PROPOSAL")},
		{"a disclosure (RESOLUTION_DISCLOSURE)", 4,
			`mutation($m: ID!) { recordMatterStage(input: {matterID: $m, stage: RESOLUTION_DISCLOSURE, disclosure: {disclosedOn: "2026-11-21", channel: "社区居务公开栏", text: "决议公开"}}) { stage } }`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, dsn string) {
				w := newOnceWorld(t, dsn)
				m, err := w.d.Client.Matter.Create().SetCommunityID(w.com.ID).SetTitle("老年服务中心改造").Save(w.ctx)
				if err != nil {
					t.Fatalf("create matter: %v", err)
				}
				for i, s := range governance.Stages[:tc.before] {
					votes := 9
					_, err := governance.RecordStage(w.ctx, w.d.Client, governance.StageRecord{MatterID: m.ID, Stage: s, Meeting: &governance.StageMeeting{
						HeldAt: calendar.StartOf(calendar.Date(2026, 11, 1+i)).Add(10 * time.Hour), Title: "会议", Entitled: 9, Attended: 9, VotesFor: &votes,
					}})
					if err != nil {
						t.Fatalf("record %s: %v", s, err)
					}
				}
				before := w.trail("Matter", m.ID, auditevent.ActionUPDATE)
				w.gate("matters", m.ID)
				o := tally(gqlAtOnce(t, w.h, concurrent, w.admin, tc.query, map[string]any{"m": gid(m.ID)}))
				events := w.trail("Matter", m.ID, auditevent.ActionUPDATE) - before
				meetings := w.d.Client.Meeting.Query().Where(meeting.MatterID(m.ID)).CountX(w.ctx)
				disclosures := len(w.d.Client.Matter.QueryDisclosures(m).AllX(w.ctx))
				t.Logf("recordMatterStage ×%d %s: %d succeeded, %d audit events, %d meetings, %d disclosures; failures %v", concurrent, tc.name, o.ok, events, meetings, disclosures, o.failures)
				o.expectOnce(t, concurrent, "is already recorded and cannot be repeated")
				if events != 1 {
					t.Errorf("%d audit events moving the matter on, want 1", events)
				}
				if want := min(tc.before+1, 4); meetings != want {
					t.Errorf("%d meetings, want %d", meetings, want)
				}
				if want := max(tc.before-3, 0); disclosures != want {
					t.Errorf("%d disclosures, want %d", disclosures, want)
				}
			})
		})
	}
}

func TestConcurrentAnswerInquiry(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		w := newOnceWorld(t, dsn)
		r, err := w.d.Client.Resident.Create().SetCommunityID(w.com.ID).SetName("李桂兰").SetGender("FEMALE").
			SetBirthDate(calendar.Date(1950, 3, 1)).Save(w.ctx)
		if err != nil {
			t.Fatalf("create resident: %v", err)
		}
		q, err := w.d.Client.Inquiry.Create().SetCommunityID(w.com.ID).SetResidentID(r.ID).SetReportLine("办公经费").
			SetAskedOn(calendar.Date(2026, 11, 20)).SetQuestion("十月办公经费为何比九月多？").Save(w.ctx)
		if err != nil {
			t.Fatalf("create inquiry: %v", err)
		}
		before := w.trail("Inquiry", q.ID, auditevent.ActionUPDATE)
		w.gate("inquiries", q.ID)
		o := tally(gqlAtOnce(t, w.h, concurrent, w.admin,
			`mutation($q: ID!) { answerInquiry(id: $q, answer: "添置了会议室桌椅", answeredBy: "会计甲") { answeredOn } }`,
			map[string]any{"q": gid(q.ID)}))
		events := w.trail("Inquiry", q.ID, auditevent.ActionUPDATE) - before
		t.Logf("answerInquiry ×%d: %d succeeded, %d audit events; failures %v", concurrent, o.ok, events, o.failures)
		o.expectOnce(t, concurrent, fmt.Sprintf("inquiry %d was already answered on 2026-11-25", q.ID))
		if events != 1 {
			t.Errorf("%d audit events answering inquiry %d, want 1", events, q.ID)
		}
	})
}

// TestCloseMonthRacesNewVoucher: a draft dated in a month being closed is
// either written first, and the close refused for it, or refused because
// the month closed; never both written, which would leave a draft in a
// closed month.
func TestCloseMonthRacesNewVoucher(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		w := newOnceWorld(t, dsn)
		w.posted(calendar.Date(2026, 10, 5))
		c := map[string]any{"c": gid(w.com.ID)}
		w.gateFor("communities", w.com.ID, 2)
		rs := gqlEachAtOnce(t, w.h, w.admin, []gqlOp{
			{`mutation($c: ID!) { closeMonth(communityID: $c, month: "2026-10") { closedThrough } }`, c},
			{`mutation($c: ID!) { createVoucher(input: {communityID: $c, number: "记-2026-10-900", occurredOn: "2026-10-30", direction: EXPENSE, category: "办公用品", amount: "12.00", summary: "补记"}) { id } }`, c},
		})
		closed, created := len(rs[0].Errors) == 0, len(rs[1].Errors) == 0
		t.Logf("closeMonth: %v %v; createVoucher in the month: %v %v", closed, rs[0].Errors, created, rs[1].Errors)
		if closed == created {
			t.Errorf("close succeeded: %v, draft created: %v; want exactly one", closed, created)
		}
		open := w.d.Client.Voucher.Query().Where(voucher.Period("2026-10"), voucher.StatusNEQ(voucher.StatusPOSTED)).CountX(w.ctx)
		if com := w.d.Client.Community.GetX(w.ctx, w.com.ID); com.ClosedThrough != nil && open > 0 {
			t.Errorf("2026-10 is closed with %d unposted voucher(s) dated in it", open)
		}
	})
}

// TestConcurrentUpdatesAuditAChain: ten different changes of one draft at
// once all succeed, one after the other, and the audit trail links them:
// each event's "before" is the previous event's "after", so no event
// records a state the record was no longer in (the rules lock the row
// before the audit hook reads it).
func TestConcurrentUpdatesAuditAChain(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, dsn string) {
		w := newOnceWorld(t, dsn)
		v := w.voucher(calendar.Date(2026, 11, 10))
		w.gate("vouchers", v.ID)
		ops := make([]gqlOp, concurrent)
		for i := range ops {
			ops[i] = gqlOp{`mutation($v: ID!, $s: String!) { updateVoucher(id: $v, input: {summary: $s}) { summary } }`,
				map[string]any{"v": gid(v.ID), "s": fmt.Sprintf("会议室桌椅 第%d次更正", i+1)}}
		}
		if o := tally(gqlEachAtOnce(t, w.h, w.admin, ops)); o.ok != concurrent {
			t.Fatalf("%d of %d updates succeeded, want all: %v", o.ok, concurrent, o.failures)
		}
		events := w.d.Client.AuditEvent.Query().
			Where(auditevent.Entity("Voucher"), auditevent.EntityID(v.ID), auditevent.ActionEQ(auditevent.ActionUPDATE)).
			Order(ent.Asc(auditevent.FieldID)).AllX(w.ctx)
		if len(events) != concurrent {
			t.Fatalf("%d audit events, want %d", len(events), concurrent)
		}
		summary := func(j string) string {
			var fields map[string]any
			if err := json.Unmarshal([]byte(j), &fields); err != nil {
				t.Fatalf("audit JSON %q: %v", j, err)
			}
			s, _ := fields["summary"].(string)
			return s
		}
		prev := v.Summary
		for i, e := range events {
			if got := summary(e.Before); got != prev {
				t.Fatalf("event %d records the summary before as %q, but it was %q (the previous event's after)", i+1, got, prev)
			}
			prev = summary(e.After)
		}
		if now := w.d.Client.Voucher.GetX(w.ctx, v.ID).Summary; now != prev {
			t.Fatalf("the last event leaves %q, the voucher says %q", prev, now)
		}
	})
}
