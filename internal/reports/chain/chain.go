// Package chain verifies published reports as evidence (rule 8 of the
// design): each stored PDF still has the SHA-256 recorded for it, each
// report names its predecessor's hash, and regenerating a report from the
// records gives the very same bytes.
package chain

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"sunlight/ent"
	"sunlight/ent/community"
	entreport "sunlight/ent/report"
	"sunlight/internal/reports/archive"
	"sunlight/internal/reports/disclosure"
	"sunlight/internal/reports/pdf"
	"sunlight/internal/vocab/calendar"
)

// Finding is the verdict on one report.
type Finding struct {
	Community string
	Kind      entreport.Kind
	Period    string
	ReportID  int
	OK        bool
	Problems  []string
}

func (f Finding) String() string {
	if f.OK {
		return fmt.Sprintf("OK        %s %s %s", f.Community, f.Kind, f.Period)
	}
	return fmt.Sprintf("MISMATCH  %s %s %s (report %d): %v", f.Community, f.Kind, f.Period, f.ReportID, f.Problems)
}

// Verify checks every published report of the community with code (all
// communities when code is empty), oldest first per community and kind.
func Verify(ctx context.Context, client *ent.Client, a *archive.Archive, r *pdf.Renderer, code string) ([]Finding, error) {
	q := client.Community.Query().Order(community.ByCode())
	if code != "" {
		q.Where(community.Code(code))
	}
	cs, err := q.All(ctx)
	if err != nil {
		return nil, fmt.Errorf("list communities: %w", err)
	}
	if code != "" && len(cs) == 0 {
		return nil, fmt.Errorf("no community has the code %q", code)
	}
	var out []Finding
	for _, c := range cs {
		for _, kind := range []entreport.Kind{entreport.KindMONTHLY_DISCLOSURE, entreport.KindYEARLY_ASSET_GROWTH} {
			reps, err := client.Report.Query().Where(entreport.CommunityID(c.ID), entreport.KindEQ(kind),
				entreport.StatusEQ(entreport.StatusPUBLISHED)).Order(entreport.ByPeriod()).All(ctx)
			if err != nil {
				return nil, fmt.Errorf("reports of %s: %w", c.Code, err)
			}
			prev := ""
			for _, rep := range reps {
				out = append(out, check(ctx, client, a, r, c, rep, prev))
				prev = rep.Sha256
			}
		}
	}
	return out, nil
}

func check(ctx context.Context, client *ent.Client, a *archive.Archive, r *pdf.Renderer, c *ent.Community, rep *ent.Report, prev string) Finding {
	f := Finding{Community: c.Code, Kind: rep.Kind, Period: rep.Period, ReportID: rep.ID}
	problem := func(format string, args ...any) { f.Problems = append(f.Problems, fmt.Sprintf(format, args...)) }
	if rep.PrevSha256 != prev {
		problem("chain broken: it names %q as the previous report, the previous published one is %q", short(rep.PrevSha256), short(prev))
	}
	stored, err := a.Get(ctx, rep.StorageKey)
	if err != nil {
		problem("stored PDF unreadable: %v", err)
	} else {
		sum := sha256.Sum256(stored)
		if got := hex.EncodeToString(sum[:]); got != rep.Sha256 {
			problem("stored PDF has SHA-256 %s, the record says %s (the file was changed)", short(got), short(rep.Sha256))
		}
		if int64(len(stored)) != rep.Size {
			problem("stored PDF has %d bytes, the record says %d", len(stored), rep.Size)
		}
	}
	again, err := regenerate(ctx, client, r, c, rep)
	switch {
	case err != nil:
		problem("cannot regenerate: %v", err)
	case stored != nil && !bytes.Equal(again, stored):
		sum := sha256.Sum256(again)
		problem("regenerated from the records it gives SHA-256 %s: the records of %s changed after publishing", short(hex.EncodeToString(sum[:])), rep.Period)
	}
	f.OK = len(f.Problems) == 0
	return f
}

func regenerate(ctx context.Context, client *ent.Client, r *pdf.Renderer, c *ent.Community, rep *ent.Report) ([]byte, error) {
	p, err := calendar.ParsePeriod(rep.Period)
	if err != nil {
		return nil, err
	}
	data, _, err := disclosure.Render(ctx, client, r, c, rep.Kind, p)
	return data, err
}

func short(h string) string {
	if len(h) > 16 {
		return h[:16] + "…"
	}
	if h == "" {
		return "(none)"
	}
	return h
}
