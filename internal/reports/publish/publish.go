// Package publish makes one report public, all or nothing: it closes the
// month, gathers the report, renders it, stores the PDF in the archive,
// records the report with the inputs it was rendered from, and lets the
// caller finish its run, in one database transaction.
//
// # One snapshot
//
// What is published is exactly the month that is closed. The transaction
// first locks the community, then closes the month, then gathers the report
// and renders it, so the report is read from the books as the close froze
// them and nothing can be posted in between:
//
//   - On PostgreSQL (READ COMMITTED) the transaction takes the community row
//     FOR UPDATE before it reads anything. Every write that can put a
//     voucher into a month (create, re-date, post) holds that row FOR SHARE
//     while it checks the month is open (package ledger), so a concurrent
//     post either committed before the lock (and is read by every later
//     statement of the transaction) or waits for the transaction to end and
//     then finds its month closed. A new report of the community waits the
//     same way (its foreign key takes KEY SHARE on the row), which also
//     keeps the hash chain in order.
//   - On SQLite every write transaction starts IMMEDIATE (package db), so the
//     publishing transaction is the only writer from its first statement to
//     its commit.
//
// A deadlock or serialization failure (SQLSTATE 40P01, 40001) with a
// concurrent writer rolls everything back and is retried at once, up to
// three times; an unposted voucher in the month refuses the close (a data
// error: nothing is stored, nothing recorded).
//
// # Frozen inputs
//
// The gathered report (pdf.Monthly or pdf.Yearly) is encoded as canonical
// JSON (encoding/json: struct fields in order, no maps) and kept on the
// report (Report.inputs). The PDF is rendered from the decoded JSON, not
// from the gathered value, so rendering the stored inputs again gives the
// published bytes by construction: `sunlight verify` checks a report
// against what was published, and later ordinary edits of contracts,
// meetings or inquiries never make it fail.
package publish

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"sunlight/ent"
	"sunlight/ent/community"
	entreport "sunlight/ent/report"
	"sunlight/internal/ledger"
	"sunlight/internal/reports/archive"
	"sunlight/internal/reports/disclosure"
	"sunlight/internal/reports/pdf"
	"sunlight/internal/storage/dberr"
	"sunlight/internal/storage/rowlock"
	"sunlight/internal/vocab/calendar"
	"sunlight/internal/vocab/fail"
)

// Job names, as recorded in JobRun.job: the scheduler records its runs
// under them and chain (verify, the missing-report check) reads them.
const (
	MonthlyJob = "monthly-disclosure"
	YearlyJob  = "yearly-asset-growth"
)

// JobOf is the job that publishes reports of kind.
func JobOf(kind entreport.Kind) string {
	if kind == entreport.KindYEARLY_ASSET_GROWTH {
		return YearlyJob
	}
	return MonthlyJob
}

// ErrPublishedElsewhere is returned when another run recorded the report
// first (the unique key on community, kind and period decided).
var ErrPublishedElsewhere = errors.New("published by another run")

// DataError marks a failure that a retry cannot mend (bad data, a rule of
// the ledger, a renderer failure on the gathered data).
type DataError struct{ Err error }

func (e DataError) Error() string { return e.Err.Error() }
func (e DataError) Unwrap() error { return e.Err }

// IsDataError says whether err is one a retry cannot mend: a DataError, a
// glyph the font lacks, a rule of the platform (an error with a code) or an
// invalid value.
func IsDataError(err error) bool {
	if dberr.Transient(err) {
		return false
	}
	var d DataError
	var g *pdf.GlyphError
	return errors.As(err, &d) || errors.As(err, &g) || fail.CodeOf(err) != "" ||
		ent.IsValidationError(err) || dberr.Classify(err) != dberr.Other
}

// Publisher publishes reports into one database and archive.
type Publisher struct {
	Client   *ent.Client
	Archive  *archive.Archive
	Renderer *pdf.Renderer
	// Now is the clock that stamps published_at and closes the month.
	Now func() time.Time
	// Rendered, when set, hears how long rendering took and the PDF's size.
	Rendered func(kind entreport.Kind, took time.Duration, size int)
	// AfterRender, when set, is called inside the transaction after
	// rendering and before storing: tests interrupt a run or write
	// concurrently at the worst moment with it.
	AfterRender func(ctx context.Context, kind entreport.Kind, code string, p calendar.Period) error
}

// Request is one report to publish.
type Request struct {
	Kind      entreport.Kind
	Community *ent.Community
	Period    calendar.Period
	// Finish, when set, runs inside the transaction after the report is
	// recorded, so that what it writes (the run's status) commits with
	// the report or not at all.
	Finish func(ctx context.Context, tx *ent.Client, publishedAt time.Time) error
}

// retries is how often a transaction that lost a deadlock or a
// serialization check is made again at once.
const retries = 3

// Publish closes, gathers, renders, stores and records req's report in one
// transaction, and returns the recorded report. ErrPublishedElsewhere means
// the report exists already; IsDataError says whether retrying can help.
func (p *Publisher) Publish(ctx context.Context, req Request) (*ent.Report, error) {
	for attempt := 1; ; attempt++ {
		r, err := p.publishOnce(ctx, req)
		if err == nil || attempt > retries || !Retryable(err) {
			return r, err
		}
	}
}

// Retryable says whether err is PostgreSQL's verdict that the transaction
// lost to a concurrent one (serialization failure or deadlock): making it
// again can succeed.
func Retryable(err error) bool {
	var st interface{ SQLState() string }
	if errors.As(err, &st) {
		switch st.SQLState() {
		case "40001", "40P01":
			return true
		}
	}
	return false
}

func (p *Publisher) publishOnce(ctx context.Context, req Request) (*ent.Report, error) {
	started := p.Now().UTC()
	tx, err := p.Client.Tx(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin publishing: %w", err)
	}
	defer tx.Rollback()
	c, err := lock(ctx, tx.Client(), req.Community.ID)
	if err != nil {
		return nil, err
	}
	published := p.Now().UTC()
	if err := disclosure.Ended(req.Period, published); err != nil {
		return nil, err
	}
	if req.Kind == entreport.KindMONTHLY_DISCLOSURE {
		if err := closeMonth(ctx, tx.Client(), c, req.Period, published); err != nil {
			return nil, err
		}
	}
	renderStart := time.Now()
	inputs, err := Gather(ctx, tx.Client(), c, req.Kind, req.Period, published)
	if err != nil {
		return nil, err
	}
	data, prev, err := Render(p.Renderer, req.Kind, inputs)
	if err != nil {
		return nil, err
	}
	if p.Rendered != nil {
		p.Rendered(req.Kind, time.Since(renderStart), len(data))
	}
	if p.AfterRender != nil {
		if err := p.AfterRender(ctx, req.Kind, c.Code, req.Period); err != nil {
			return nil, err
		}
	}
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])
	key := archive.Key(c.Code, string(req.Kind), req.Period.String(), hash)
	// The archive holds only published reports. Under the community's lock
	// no other run can record a report of c, so what this run stores is
	// its own until it commits: PDFs left by earlier runs of the period
	// that died before committing are removed first, and this run's PDF is
	// removed again if it does not commit. The removal runs before the
	// deferred rollback, while the lock is still held.
	if err := p.sweep(ctx, tx.Client(), c, req); err != nil {
		return nil, err
	}
	// Identical bytes give the same key: a report already naming it (one
	// published before this run took the lock) keeps its PDF.
	named, err := tx.Report.Query().Where(entreport.StorageKey(key)).Exist(ctx)
	if err != nil {
		return nil, fmt.Errorf("is %s published: %w", key, err)
	}
	if err := p.Archive.Put(ctx, key, data); err != nil {
		return nil, err
	}
	committed := false
	defer func() {
		if !committed && !named {
			p.discard(key)
		}
	}()
	r, err := tx.Report.Create().SetCommunityID(c.ID).SetKind(req.Kind).SetPeriod(req.Period.String()).
		SetNumber(disclosure.Number(c, req.Kind, req.Period)).SetStatus(entreport.StatusPUBLISHED).
		SetSha256(hash).SetPrevSha256(prev).SetSize(int64(len(data))).SetStorageKey(key).
		SetInputs(string(inputs)).SetGeneratedAt(started).SetPublishedAt(published).Save(ctx)
	if ent.IsConstraintError(err) {
		return nil, ErrPublishedElsewhere
	}
	if err != nil {
		return nil, fmt.Errorf("record %s %s of %s: %w", req.Kind, req.Period, c.Code, err)
	}
	if req.Finish != nil {
		if err := req.Finish(ctx, tx.Client(), published); err != nil {
			return nil, err
		}
	}
	// A commit that fails may still have committed (the connection broke
	// after the server wrote it), so its PDF is kept: the next run of the
	// period sweeps it away if no report names it.
	committed = true
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("commit %s %s of %s: %w", req.Kind, req.Period, c.Code, err)
	}
	return r, nil
}

// sweep removes the PDFs of req's period that no report names: left by
// runs that stopped between storing and committing (a killed process, a
// commit that failed). It runs under the community's lock, inside the
// publishing transaction, so no report naming them can commit meanwhile.
func (p *Publisher) sweep(ctx context.Context, tx *ent.Client, c *ent.Community, req Request) error {
	keys, err := p.Archive.List(ctx, archive.PeriodPrefix(c.Code, string(req.Kind), req.Period.String()))
	if err != nil {
		return err
	}
	if len(keys) == 0 {
		return nil
	}
	named, err := tx.Report.Query().Where(entreport.StorageKeyIn(keys...)).Select(entreport.FieldStorageKey).Strings(ctx)
	if err != nil {
		return fmt.Errorf("which of %d PDFs of %s %s are published: %w", len(keys), c.Code, req.Period, err)
	}
	for _, key := range keys {
		if slices.Contains(named, key) {
			continue
		}
		if err := p.Archive.Delete(ctx, key); err != nil {
			return err
		}
		slog.WarnContext(ctx, "removed the PDF of a run that did not publish", "community", c.Code, "period", req.Period.String(), "key", key)
	}
	return nil
}

// discard removes the PDF of a run that did not commit. It must not wait
// for the run's context, which may have ended (that may be why the run
// failed); if it fails, the next run of the period sweeps the PDF away.
func (p *Publisher) discard(key string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.Archive.Delete(ctx, key); err != nil {
		slog.Warn("cannot remove the PDF of a run that did not publish; the next run of its period will", "key", key, "err", err)
	}
}

// lock takes the community for the transaction (PostgreSQL; SQLite's
// IMMEDIATE transaction holds the whole database) and returns it as it is
// now. The community row is enough: every write that can put a voucher into
// a month (create, re-date, post) holds it FOR SHARE while it checks the
// month is open (package ledger), so it either committed before this lock
// or waits and then finds the month closed. Locking no voucher here keeps
// one lock order with posting (voucher, then community), so the two cannot
// deadlock.
func lock(ctx context.Context, client *ent.Client, communityID int) (*ent.Community, error) {
	if _, err := client.Community.Query().Where(community.ID(communityID)).Select(community.FieldID).Modify(rowlock.Update).Ints(ctx); err != nil {
		return nil, fmt.Errorf("lock community %d: %w", communityID, err)
	}
	// Read after the lock: under READ COMMITTED this sees every write that
	// committed before it.
	c, err := client.Community.Get(ctx, communityID)
	if err != nil {
		return nil, fmt.Errorf("load community %d: %w", communityID, err)
	}
	return c, nil
}

// closeMonth closes p unless c closed it already (a month can be closed by
// hand before its disclosure is published).
func closeMonth(ctx context.Context, client *ent.Client, c *ent.Community, p calendar.Period, now time.Time) error {
	if c.ClosedThrough != nil {
		if closed, err := calendar.ParsePeriod(*c.ClosedThrough); err == nil && !closed.Before(p) {
			return nil
		}
	}
	if _, err := ledger.CloseMonth(ctx, client, c.ID, p, now); err != nil {
		return fmt.Errorf("close %s of %s: %w", p, c.Code, err)
	}
	return nil
}

// Gather reads c's report of kind for p from client, dated on the day of
// publishedAt (the real publication date, with the due date beside it when
// late), and returns it as the canonical JSON it is rendered and kept as:
// the date is frozen with the inputs, so verify regenerates the same bytes.
func Gather(ctx context.Context, client *ent.Client, c *ent.Community, kind entreport.Kind, p calendar.Period, publishedAt time.Time) ([]byte, error) {
	var v any
	var err error
	if kind == entreport.KindYEARLY_ASSET_GROWTH {
		v, err = disclosure.Yearly(ctx, client, c, p.Year)
	} else {
		v, err = disclosure.Monthly(ctx, client, c, p)
	}
	if err != nil {
		return nil, err
	}
	disclosure.Dated(v, publishedAt)
	inputs, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode the %s %s of %s: %w", kind, p, c.Code, err)
	}
	return inputs, nil
}

// Decode reads inputs kept with a report of kind: a *pdf.Monthly or a
// *pdf.Yearly.
func Decode(kind entreport.Kind, inputs []byte) (any, error) {
	var v any = new(pdf.Monthly)
	if kind == entreport.KindYEARLY_ASSET_GROWTH {
		v = new(pdf.Yearly)
	}
	dec := json.NewDecoder(bytes.NewReader(inputs))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return nil, fmt.Errorf("decode the inputs of a %s: %w", kind, err)
	}
	return v, nil
}

// Render renders the report kept as inputs and returns the PDF and the
// predecessor's SHA-256 it prints. A renderer failure is a DataError.
func Render(r *pdf.Renderer, kind entreport.Kind, inputs []byte) ([]byte, string, error) {
	v, err := Decode(kind, inputs)
	if err != nil {
		return nil, "", err
	}
	var buf bytes.Buffer
	var prev string
	switch v := v.(type) {
	case *pdf.Yearly:
		err, prev = r.Yearly(&buf, v), v.PrevSHA256
	case *pdf.Monthly:
		err, prev = r.Monthly(&buf, v), v.PrevSHA256
	}
	if err != nil {
		return nil, "", DataError{disclosure.RenderError{Err: err}}
	}
	return buf.Bytes(), prev, nil
}
