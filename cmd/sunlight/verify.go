package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"sunlight/internal/reports/archive"
	"sunlight/internal/reports/chain"
)

// verifyCmd checks every published report (package chain): the hash chain
// and that none is missing, each stored PDF's hash, each report rendered
// again from the inputs frozen with it, and a monthly disclosure's vouchers
// and totals against the closed month in the books. It exits non-zero on
// any finding, one per line.
func verifyCmd(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	dsn := dbFlag(fs)
	code := fs.String("community", "", "verify one community (by code); all when empty")
	archiveURL := fs.String("archive", env("SUNLIGHT_ARCHIVE", archive.DefaultURL), "where published PDFs are kept (SUNLIGHT_ARCHIVE)")
	fontFile := fontFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
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
	a, err := archive.Open(ctx, *archiveURL)
	if err != nil {
		return err
	}
	defer a.Close()
	findings, err := chain.Verify(ctx, d.Client, a, r, *code)
	if err != nil {
		return err
	}
	bad, missing := 0, 0
	for _, f := range findings {
		fmt.Fprintln(stdout, f)
		switch {
		case f.Missing:
			missing++
		case !f.OK:
			bad++
		}
	}
	checked := len(findings) - missing
	fmt.Fprintf(stdout, "%d report(s) verified, %d intact, %d not; %d missing\n", checked, checked-bad, bad, missing)
	if bad > 0 || missing > 0 {
		return fmt.Errorf("verify: %d report(s) failed, %d missing", bad, missing)
	}
	return nil
}
