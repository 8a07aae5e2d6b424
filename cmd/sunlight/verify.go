package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"sunlight/internal/reports/archive"
	"sunlight/internal/reports/chain"
)

// verifyCmd recomputes the hash chain and every stored PDF's hash, and
// regenerates each report to compare bytes. It exits non-zero on any
// mismatch.
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
	bad := 0
	for _, f := range findings {
		fmt.Fprintln(stdout, f)
		if !f.OK {
			bad++
		}
	}
	fmt.Fprintf(stdout, "%d report(s) verified, %d intact, %d not\n", len(findings), len(findings)-bad, bad)
	if bad > 0 {
		return fmt.Errorf("verify: %d report(s) failed", bad)
	}
	return nil
}
