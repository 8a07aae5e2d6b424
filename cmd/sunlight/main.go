// Command sunlight is the one binary of the platform: the GraphQL server,
// the scheduler, migrations, demo data, reports and their verification.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"
)

const usage = `sunlight — the collective economy out in the sunlight (社区集体经济阳光平台)

Usage:
  sunlight serve   [--db DSN] [--addr HOST:PORT] [--demo]   GraphQL at /graphql, GraphiQL at /
  sunlight jobs    [--db DSN] [--archive URL]               run only the report scheduler
  sunlight migrate [--db DSN]                               create or upgrade the schema
  sunlight demo    [--db DSN]                               load the demo data (阁子市社区 and neighbours)
  sunlight report monthly --community CODE --month YYYY-MM --out FILE.pdf
  sunlight report yearly  --community CODE --year YYYY --out FILE.pdf

Every flag can also be set by its SUNLIGHT_* environment variable
(--db: SUNLIGHT_DB, --addr: SUNLIGHT_ADDR). Run "sunlight COMMAND --help" for a command's flags.
`

func main() {
	logger := newLogger(os.Stderr)
	slog.SetDefault(logger)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "sunlight:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stdout, usage)
		return errors.New("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, rest)
	case "migrate":
		return migrate(ctx, rest)
	case "demo":
		return demoCmd(ctx, rest, stdout)
	case "report":
		return reportCmd(ctx, rest, stdout)
	case "jobs":
		return jobsCmd(ctx, rest)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(os.Stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

// newLogger writes text to a terminal and JSON lines to anything else.
func newLogger(w *os.File) *slog.Logger {
	if term.IsTerminal(int(w.Fd())) {
		return slog.New(slog.NewTextHandler(w, nil))
	}
	return slog.New(slog.NewJSONHandler(w, nil))
}

// env returns the SUNLIGHT_* variable name or def.
func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
