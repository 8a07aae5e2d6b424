package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"sunlight/demo"
)

func demoCmd(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	dsn := dbFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	d, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer d.Close()
	start := time.Now()
	loaded, err := demo.LoadIfEmpty(ctx, d.Client)
	if err != nil {
		return fmt.Errorf("load demo data: %w", err)
	}
	if !loaded {
		return fmt.Errorf("the database already holds communities; the demo loads only into an empty database")
	}
	fmt.Fprintf(stdout, "demo data loaded in %s (community %s and 3 neighbours)\n", time.Since(start).Round(time.Millisecond), demo.Code)
	return nil
}
