package demo

// The scale data: many communities with ten years of posted vouchers, for
// benchmarks (bench/). It is written with bulk statements straight into the
// tables — COPY on PostgreSQL, large multi-row INSERTs in one transaction on
// SQLite — because a million vouchers through ent's hooks would take hours.
// The rows bypass the hooks, so the loader writes only rows the rules
// accept: every voucher is POSTED, has its period set to the month of its
// date, a positive amount in fen, a category of ledger.Categories for its
// direction and nine distinct signatures; every month of the data is closed.
// Instants are written in UTC, so SQLite's text form is the same whatever
// the zone they were computed in. The database assigns every ID (sequence or autoincrement), so the IDs stay
// in each table's range of ent's global unique IDs.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"sunlight/ent/voucher"
	"sunlight/internal/ledger"
	"sunlight/internal/storage/dataversion"
	"sunlight/internal/storage/db"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/pinyin"
)

// Scale sizes the scale data.
type Scale struct {
	Communities int
	Vouchers    int // over Years years, spread evenly over communities and months
	Assets      int // spread over the communities, each with a year-end valuation per year
	Meetings    int
	FromYear    int // first year of vouchers (default 2016)
	Years       int // default 10
	// Progress, if set, is told about each step as it finishes.
	Progress func(step string, rows int64, took time.Duration)
}

// DefaultScale is the benchmark's size: 50 communities, 1,000,000 vouchers
// over 2016–2025 (9,000,000 signatures), 2,000 assets, 5,000 meetings.
var DefaultScale = Scale{Communities: 50, Vouchers: 1_000_000, Assets: 2_000, Meetings: 5_000}

// ScaleSigners are the nine people who sign every scale voucher.
var ScaleSigners = signers

// ScaleCode is the code of the i-th (0-based) scale community.
func ScaleCode(i int) string { return fmt.Sprintf("c%03d", i+1) }

// LoadScale writes the scale data into an empty, migrated database.
func LoadScale(ctx context.Context, d *db.DB, s Scale) error {
	if s.FromYear == 0 {
		s.FromYear = 2016
	}
	if s.Years == 0 {
		s.Years = 10
	}
	if s.Communities < 1 || s.Vouchers < 0 || s.Assets < 0 || s.Meetings < 0 {
		return fmt.Errorf("scale data needs at least one community and no negative counts")
	}
	var n int
	if err := d.SQL.QueryRowContext(ctx, "SELECT COUNT(*) FROM communities").Scan(&n); err != nil {
		return fmt.Errorf("count communities: %w", err)
	}
	if n > 0 {
		return fmt.Errorf("the database already holds %d communities; the scale data loads only into an empty database", n)
	}
	w, err := newBulkWriter(ctx, d)
	if err != nil {
		return err
	}
	g := &scaleGen{s: s, w: w}
	if err := g.run(ctx); err != nil {
		w.rollback()
		return err
	}
	if err := w.commit(ctx); err != nil {
		return err
	}
	// The rows were written around the ledger, which sums a month when it
	// closes it: sum every month the load closed.
	if _, err := ledger.CatchUpTotals(ctx, d.Client); err != nil {
		return fmt.Errorf("month sums of the scale data: %w", err)
	}
	return settle(ctx, d)
}

// settle gives the planner statistics of the bulk-loaded tables and, on
// PostgreSQL, the visibility map that index-only scans need: right after
// COPY every heap page is "not all-visible", so the covering index of the
// ledger totals would still visit the table until autovacuum came by.
func settle(ctx context.Context, d *db.DB) error {
	q := "ANALYZE"
	if d.Dialect == dialect.Postgres {
		q = "VACUUM (ANALYZE)"
	}
	if _, err := d.SQL.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("%s after the bulk load: %w", q, err)
	}
	return nil
}

type scaleGen struct {
	s           Scale
	w           *bulkWriter
	communities []int // IDs in order of ScaleCode
}

func (g *scaleGen) step(name string, start time.Time, rows int64) {
	if g.s.Progress != nil {
		g.s.Progress(name, rows, time.Since(start))
	}
}

var (
	scaleDistricts    = []string{"南湖新区", "岳阳楼区", "君山区", "云溪区", "经开区"}
	scaleSubDistricts = []string{"龙山管理处", "洞庭街道", "湖滨管理处", "城陵矶街道", "金鹗山街道", "望岳路街道"}
	scalePlaces       = []string{"社区党群服务中心", "居委会会议室", "老年服务中心", "社区广场", "阁子市菜市场二楼"}
)

func (g *scaleGen) run(ctx context.Context) error {
	s := g.s
	last := calendar.Month(s.FromYear+s.Years-1, time.December).String()

	// Communities.
	start := time.Now()
	var rows [][]any
	for i := 0; i < s.Communities; i++ {
		name := fmt.Sprintf("第%d社区", i+1)
		rows = append(rows, []any{
			name, pinyin.Key(name), ScaleCode(i),
			scaleSubDistricts[i%len(scaleSubDistricts)], scaleDistricts[i%len(scaleDistricts)],
			calendar.Date(s.FromYear-1, time.Month(1+i%12), 1), 9, int64(5_000_000), int64(100_000_000), last,
		})
	}
	if err := g.w.insert(ctx, "communities", []string{"name", "name_sort", "code", "sub_district", "district", "established_on",
		"min_signatures", "matter_threshold", "tender_threshold", "closed_through"}, rowSlice(rows)); err != nil {
		return err
	}
	ids, err := g.w.ids(ctx, "SELECT id FROM communities ORDER BY code")
	if err != nil {
		return err
	}
	if len(ids) != s.Communities {
		return fmt.Errorf("wrote %d communities, found %d", s.Communities, len(ids))
	}
	g.communities = ids
	g.step("communities", start, int64(len(ids)))

	if err := g.assets(ctx); err != nil {
		return err
	}
	if err := g.meetings(ctx); err != nil {
		return err
	}
	return g.vouchers(ctx)
}

var scaleAssetKinds = []struct{ cat, name string }{
	{"BUILDING", "综合楼"}, {"MARKET", "农贸市场"}, {"PARKING", "停车场"}, {"LAND", "集体土地使用权"},
	{"EQUIPMENT", "设备"}, {"SCHOOL", "教学楼"}, {"OTHER", "附属设施"},
}

func (g *scaleGen) assets(ctx context.Context) error {
	s := g.s
	start := time.Now()
	r := rand.New(rand.NewPCG(2017, 1))
	var rows [][]any
	for i := 0; i < s.Assets; i++ {
		k := scaleAssetKinds[r.IntN(len(scaleAssetKinds))]
		acquired := calendar.Date(1990+r.IntN(s.FromYear-1990), time.Month(1+r.IntN(12)), 1)
		rows = append(rows, []any{
			fmt.Sprintf("%s%04d", k.name, i/s.Communities+1), k.cat, fmt.Sprintf("第%d社区", i%s.Communities+1),
			1, acquired, "CONSTRUCTION", int64(100_000+r.IntN(20_000_000)) * 100, 20 + 10*r.IntN(4), "社区居委会",
			"IN_USE", g.communities[i%s.Communities],
		})
	}
	if err := g.w.insert(ctx, "assets", []string{"name", "category", "location", "quantity", "acquired_on", "acquisition",
		"original_value", "useful_life_years", "custodian", "status", "community_id"}, rowSlice(rows)); err != nil {
		return err
	}
	// One year-end valuation per asset and year: growing 3–8% a year.
	q, err := g.w.tx.QueryContext(ctx, "SELECT id, community_id, original_value FROM assets ORDER BY id")
	if err != nil {
		return fmt.Errorf("read back assets: %w", err)
	}
	var vals [][]any
	for q.Next() {
		var id, cid int
		var v int64
		if err := q.Scan(&id, &cid, &v); err != nil {
			q.Close()
			return err
		}
		for y := s.FromYear; y < s.FromYear+s.Years; y++ {
			v += v * int64(30+r.IntN(50)) / 1000
			v = v / 100 * 100
			vals = append(vals, []any{calendar.Date(y, 12, 31), v, fmt.Sprintf("%d年末资产清查", y), id, cid})
		}
	}
	q.Close()
	if err := q.Err(); err != nil {
		return err
	}
	if err := g.w.insert(ctx, "asset_valuations", []string{"as_of", "value", "note", "asset_id", "community_id"}, rowSlice(vals)); err != nil {
		return err
	}
	g.step("assets", start, int64(len(rows)+len(vals)))
	return nil
}

var scaleMeetingKinds = []struct{ kind, title string }{
	{"PARTY_BRANCH", "党组织会议"}, {"TWO_COMMITTEES", "两委会议"}, {"PARTY_MEMBERS", "党员大会"},
	{"REPRESENTATIVES", "居民代表会议"}, {"DELIBERATION", "议事协商会议"}, {"OTHER", "清廉议事会"},
}

func (g *scaleGen) meetings(ctx context.Context) error {
	s := g.s
	start := time.Now()
	r := rand.New(rand.NewPCG(2017, 2))
	days := int(calendar.Date(s.FromYear+s.Years, 1, 1).Sub(calendar.Date(s.FromYear, 1, 1)).Hours() / 24)
	var rows [][]any
	for i := 0; i < s.Meetings; i++ {
		k := scaleMeetingKinds[r.IntN(len(scaleMeetingKinds))]
		day := calendar.Date(s.FromYear, 1, 1).AddDate(0, 0, r.IntN(days))
		entitled := 9 + r.IntN(60)
		attended := (entitled*2+2)/3 + r.IntN(entitled-(entitled*2+2)/3+1) // at least two thirds
		votesFor := attended/2 + 1 + r.IntN(attended-attended/2)           // more than half
		against := r.IntN(attended - votesFor + 1)
		abstain := attended - votesFor - against
		rows = append(rows, []any{
			k.kind, calendar.StartOf(day).Add(time.Duration(9+r.IntN(9)) * time.Hour).UTC(), fmt.Sprintf("%d年%s", day.Year(), k.title),
			scalePlaces[r.IntN(len(scalePlaces))], entitled, attended, votesFor, against, abstain,
			"会议记录：通报情况，逐项审议，形成决议。", "", g.communities[i%s.Communities],
		})
	}
	if err := g.w.insert(ctx, "meetings", []string{"kind", "held_at", "title", "place", "entitled", "attended",
		"votes_for", "votes_against", "votes_abstain", "minutes", "supervision_opinion", "community_id"}, rowSlice(rows)); err != nil {
		return err
	}
	g.step("meetings", start, int64(len(rows)))
	return nil
}

var scaleVoucherCols = []string{"number", "occurred_on", "period", "direction", "category", "amount", "summary",
	"counterparty", "status", "posted_at", "community_id"}

// vouchers streams the vouchers community by community, month by month,
// then signs all of them with one INSERT … SELECT per community.
func (g *scaleGen) vouchers(ctx context.Context) error {
	s := g.s
	start := time.Now()
	months := 12 * s.Years
	cells := s.Communities * months // one (community, month) cell
	in, out := ledger.Categories[voucher.DirectionINCOME], ledger.Categories[voucher.DirectionEXPENSE]
	cell, j, inCell := -1, 0, 0 // cell = community index × months + month index
	var r *rand.Rand
	var period calendar.Period
	var postedAt time.Time
	var days int
	var row [11]any
	next := func() ([]any, bool) {
		for j >= inCell {
			cell++
			if cell >= cells {
				return nil, false
			}
			inCell = s.Vouchers / cells
			if cell < s.Vouchers%cells {
				inCell++
			}
			j = 0
			r = rand.New(rand.NewPCG(uint64(cell/months+1), uint64(cell%months+1)))
			m := cell % months
			period = calendar.Month(s.FromYear+m/12, time.Month(1+m%12))
			postedAt = calendar.StartOf(period.End().AddDate(0, 0, 3)).Add(10 * time.Hour).UTC()
			days = period.Last().Day()
		}
		day := calendar.Date(period.Year, period.Month, 1+j*days/inCell) // in date order, so numbers follow dates
		dir, cats := voucher.DirectionEXPENSE, out
		if r.IntN(5) < 2 {
			dir, cats = voucher.DirectionINCOME, in
		}
		cat := cats[r.IntN(len(cats))]
		j++
		row = [11]any{
			fmt.Sprintf("%s-%04d", period, j), day, period.String(), string(dir), cat,
			int64(1+r.IntN(50_000))*100 + int64(r.IntN(100)), period.Chinese() + cat, "往来单位",
			string(voucher.StatusPOSTED), postedAt, g.communities[cell/months],
		}
		return row[:], true
	}
	if err := g.w.insert(ctx, "vouchers", scaleVoucherCols, next); err != nil {
		return err
	}
	g.step("vouchers", start, int64(s.Vouchers))

	start = time.Now()
	var values []string
	for k, sg := range signers {
		values = append(values, fmt.Sprintf("(%d, '%s', '%s')", k, sg.name, sg.role))
	}
	signedAt := "v.posted_at - (9 - s.k) * interval '1 hour'"
	if g.w.dialect == dialect.SQLite {
		signedAt = "datetime(v.posted_at, '-' || (9 - s.k) || ' hours')"
	}
	q := `INSERT INTO signatures (signer, role, signed_at, community_id, voucher_id)
		SELECT s.signer, s.role, ` + signedAt + `, v.community_id, v.id
		FROM vouchers v CROSS JOIN (VALUES ` + strings.Join(values, ", ") + `) AS s(k, signer, role)
		WHERE v.community_id = $1 ORDER BY v.id, s.k`
	if g.w.dialect == dialect.SQLite {
		// SQLite names VALUES columns column1, column2, …
		q = strings.NewReplacer("$1", "?", "AS s(k, signer, role)", "AS s", "s.k", "s.column1", "s.signer", "s.column2", "s.role", "s.column3").Replace(q)
	}
	var total int64
	for _, cid := range g.communities {
		res, err := g.w.tx.ExecContext(ctx, q, cid)
		if err != nil {
			return fmt.Errorf("sign the vouchers of community %d: %w", cid, err)
		}
		n, _ := res.RowsAffected()
		total += n
	}
	g.step("signatures", start, total)
	return nil
}

// rowSlice streams rows that are already in memory.
func rowSlice(rows [][]any) func() ([]any, bool) {
	i := 0
	return func() ([]any, bool) {
		if i == len(rows) {
			return nil, false
		}
		i++
		return rows[i-1], true
	}
}

// bulkWriter writes rows in one transaction: COPY on PostgreSQL (through
// pgx, on the transaction's own connection), multi-row INSERTs on SQLite.
type bulkWriter struct {
	dialect string
	conn    *sql.Conn
	tx      *sql.Tx
}

func newBulkWriter(ctx context.Context, d *db.DB) (*bulkWriter, error) {
	conn, err := d.SQL.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("connect for bulk load: %w", err)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("begin bulk load: %w", err)
	}
	return &bulkWriter{dialect: d.Dialect, conn: conn, tx: tx}, nil
}

func (w *bulkWriter) commit(ctx context.Context) error {
	defer w.conn.Close()
	// The rows went below the ent driver: say so to every response cache.
	if err := dataversion.Raise(ctx, w.tx); err != nil {
		_ = w.tx.Rollback()
		return fmt.Errorf("bulk load: %w", err)
	}
	if err := w.tx.Commit(); err != nil {
		return fmt.Errorf("commit bulk load: %w", err)
	}
	return nil
}

func (w *bulkWriter) rollback() {
	_ = w.tx.Rollback()
	w.conn.Close()
}

func (w *bulkWriter) ids(ctx context.Context, q string) ([]int, error) {
	rows, err := w.tx.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// insert writes every row next yields into table; the database assigns IDs.
func (w *bulkWriter) insert(ctx context.Context, table string, cols []string, next func() ([]any, bool)) error {
	if w.dialect == dialect.Postgres {
		return w.copy(ctx, table, cols, next)
	}
	per := min(500, 32000/len(cols)) // rows per statement, under SQLite's 32,766 variables
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	head := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES "
	full, err := w.tx.PrepareContext(ctx, head+strings.TrimSuffix(strings.Repeat(row+", ", per), ", "))
	if err != nil {
		return fmt.Errorf("prepare insert into %s: %w", table, err)
	}
	defer full.Close()
	args := make([]any, 0, per*len(cols))
	n := 0
	for {
		r, ok := next()
		if ok {
			args = append(args, r...)
			n++
		}
		if n == per {
			if _, err := full.ExecContext(ctx, args...); err != nil {
				return fmt.Errorf("insert into %s: %w", table, err)
			}
			args, n = args[:0], 0
		}
		if !ok {
			break
		}
	}
	if n > 0 {
		q := head + strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
		if _, err := w.tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
	}
	return nil
}

// copy streams rows with COPY FROM STDIN on the transaction's connection.
func (w *bulkWriter) copy(ctx context.Context, table string, cols []string, next func() ([]any, bool)) error {
	return w.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return errors.New("bulk load on PostgreSQL needs the pgx driver")
		}
		_, err := c.Conn().CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromFunc(func() ([]any, error) {
			if r, ok := next(); ok {
				return r, nil
			}
			return nil, nil // the end of the rows

		}))
		if err != nil {
			return fmt.Errorf("copy into %s: %w", table, err)
		}
		return nil
	})
}
