package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"sunlight/internal/opendata"
	"sunlight/internal/storage/backup"
	"sunlight/internal/storage/db"
)

// envDuration reads a SUNLIGHT_* duration such as 30s.
func envDuration(name string, def time.Duration) time.Duration {
	if v := os.Getenv(name); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
		slog.Warn("ignoring a malformed duration", "variable", name, "value", v)
	}
	return def
}

// envInt reads a SUNLIGHT_* integer.
func envInt(name string, def int) int {
	if v := os.Getenv(name); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
		slog.Warn("ignoring a malformed number", "variable", name, "value", v)
	}
	return def
}

// backupCmd writes an online backup of the SQLite database.
func backupCmd(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	dsn := dbFlag(fs)
	out := fs.String("out", "", "file to write the backup to; must not exist (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("backup: --out FILE is required")
	}
	if strings.HasPrefix(*dsn, "postgres://") || strings.HasPrefix(*dsn, "postgresql://") {
		return backup.ErrPostgres
	}
	d, err := db.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := backup.SQLite(ctx, d, *out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup written to %s\n", *out)
	return nil
}

// exportCmd writes a community's year as open data.
func exportCmd(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	dsn := dbFlag(fs)
	code := fs.String("community", "", "community code, e.g. gezishi (required)")
	year := fs.Int("year", 0, "calendar year, e.g. 2026 (required)")
	format := fs.String("format", "csv", "csv or json")
	out := fs.String("out", "", "folder to write vouchers, assets, contracts and datapackage.json into (default sunlight-CODE-YEAR)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *code == "" || *year == 0 {
		return errors.New("export: --community CODE and --year YYYY are required")
	}
	if *format != "csv" && *format != "json" {
		return fmt.Errorf("export: --format %q: csv or json", *format)
	}
	if *out == "" {
		*out = fmt.Sprintf("sunlight-%s-%d", *code, *year)
	}
	d, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer d.Close()
	c, tables, err := opendata.Year(ctx, d.Client, *code, *year)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	for _, t := range tables {
		if err := writeFile(filepath.Join(*out, t.Name+"."+*format), func(w io.Writer) error { return t.Write(w, *format) }); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %d rows\n", filepath.Join(*out, t.Name+"."+*format), len(t.Rows))
	}
	return writeFile(filepath.Join(*out, "datapackage.json"), func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", " ")
		return enc.Encode(opendata.Descriptor(c, *year, *format))
	})
}

func writeFile(path string, fn func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := fn(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
