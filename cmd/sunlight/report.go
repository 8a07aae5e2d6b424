package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	entreport "sunlight/ent/report"
	"sunlight/internal/reports/disclosure"
	"sunlight/internal/vocab/calendar"
)

const reportUsage = `Usage:
  sunlight report monthly --community CODE --month YYYY-MM --out FILE.pdf [--published-on YYYY-MM-DD]
  sunlight report yearly  --community CODE --year YYYY --out FILE.pdf [--published-on YYYY-MM-DD]

Only a period that has ended can be written (a month in progress is not a
disclosure). The PDF is dated on the period's due day (the day after it)
unless --published-on gives the publication date to print.
`

// reportCmd writes a report PDF from the database, without publishing it.
func reportCmd(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || (args[0] != "monthly" && args[0] != "yearly") {
		fmt.Fprint(os.Stderr, reportUsage)
		return errors.New("report: say monthly or yearly")
	}
	kind := args[0]
	fs := flag.NewFlagSet("report "+kind, flag.ContinueOnError)
	dsn := dbFlag(fs)
	code := fs.String("community", "", "community code, e.g. gezishi")
	month := fs.String("month", "", "month of a monthly disclosure, YYYY-MM")
	year := fs.String("year", "", "year of a yearly summary, YYYY")
	out := fs.String("out", "", "PDF file to write")
	publishedOn := fs.String("published-on", "", "publication date to print, YYYY-MM-DD (default: the due day)")
	fontFile := fontFlag(fs)
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *code == "" || *out == "" {
		return errors.New("report: --community and --out are required")
	}
	r, err := newRenderer(*fontFile)
	if err != nil {
		return err
	}
	d, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer d.Close()
	c, err := disclosure.Community(ctx, d.Client, *code)
	if err != nil {
		return err
	}
	rk, p := entreport.KindMONTHLY_DISCLOSURE, calendar.Period{}
	switch kind {
	case "monthly":
		if p, err = calendar.ParsePeriod(*month); err != nil || !p.IsMonth() {
			return fmt.Errorf("report monthly: --month must be YYYY-MM, got %q", *month)
		}
	case "yearly":
		y, err := strconv.Atoi(*year)
		if err != nil || y < 1900 || y > 9999 {
			return fmt.Errorf("report yearly: --year must be YYYY, got %q", *year)
		}
		rk, p = entreport.KindYEARLY_ASSET_GROWTH, calendar.Year(y)
	}
	if err := disclosure.Ended(p, time.Now()); err != nil {
		return fmt.Errorf("report %s: %w", kind, err)
	}
	var at time.Time
	if *publishedOn != "" {
		day, err := calendar.ParseDate(*publishedOn)
		if err != nil || day.Before(p.End()) {
			return fmt.Errorf("report %s: --published-on must be a date YYYY-MM-DD from %s on, got %q", kind, calendar.FormatDate(p.End()), *publishedOn)
		}
		at = calendar.StartOf(day)
	}
	data, _, err := disclosure.RenderAt(ctx, d.Client, r, c, rk, p, at)
	if err != nil {
		return err
	}
	if err := writeFileAtomic(*out, data); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s  %s (%d bytes)\n", fmt.Sprintf("%x", sha256.Sum256(data)), *out, len(data))
	return nil
}

// writeFileAtomic never leaves half a PDF behind: it writes a temporary
// file beside the target and renames it.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".sunlight-*.pdf")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return os.Rename(tmp.Name(), path)
}
