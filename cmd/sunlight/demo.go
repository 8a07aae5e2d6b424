package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"sunlight/internal/demo"
)

func demoCmd(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	dsn := dbFlag(fs)
	scale := fs.Bool("scale", false, "load the benchmark's scale data instead of the demo: 50 communities, 1,000,000 vouchers, 2,000 assets, 5,000 meetings (each count can be changed by its flag)")
	communities := fs.Int("communities", 0, "scale data: number of communities (implies --scale)")
	vouchers := fs.Int("vouchers", 0, "scale data: number of vouchers over ten years, each posted with 9 signatures (implies --scale)")
	assets := fs.Int("assets", 0, "scale data: number of assets (implies --scale)")
	meetings := fs.Int("meetings", 0, "scale data: number of meetings (implies --scale)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	s := demo.DefaultScale
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "communities":
			s.Communities, *scale = *communities, true
		case "vouchers":
			s.Vouchers, *scale = *vouchers, true
		case "assets":
			s.Assets, *scale = *assets, true
		case "meetings":
			s.Meetings, *scale = *meetings, true
		}
	})
	d, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer d.Close()
	start := time.Now()
	if *scale {
		s.Progress = func(step string, rows int64, took time.Duration) {
			fmt.Fprintf(stdout, "  %-12s %10d rows in %s\n", step, rows, took.Round(time.Millisecond))
		}
		fmt.Fprintf(stdout, "scale data: %d communities, %d vouchers, %d assets, %d meetings (%s)\n",
			s.Communities, s.Vouchers, s.Assets, s.Meetings, d.Dialect)
		if err := demo.LoadScale(ctx, d, s); err != nil {
			return fmt.Errorf("load scale data: %w", err)
		}
		fmt.Fprintf(stdout, "scale data loaded in %s\n", time.Since(start).Round(time.Millisecond))
		return nil
	}
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
