// Command gen writes a new versioned migration of the PostgreSQL schema
// into ent/migrate/migrations: it replays the existing files on an empty
// scratch database and writes what the ent schema adds to them.
//
//	go run ./ent/migrate/gen --name add_accounts --dev-url postgres://localhost/scratch?sslmode=disable
//
// Without a server of your own, `SUNLIGHT_UPDATE_MIGRATIONS=NAME go test
// ./ent/migrate/migrations` does the same on a throwaway one.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"sunlight/ent/migrate/migrations"
)

func main() {
	devURL := flag.String("dev-url", os.Getenv("SUNLIGHT_DEV_URL"), "an EMPTY PostgreSQL database to replay the files on (SUNLIGHT_DEV_URL)")
	dir := flag.String("dir", "ent/migrate/migrations", "the migration folder")
	name := flag.String("name", "changes", "name of the new migration file")
	flag.Parse()
	if *devURL == "" {
		fmt.Fprintln(os.Stderr, "gen: --dev-url postgres://… (an empty scratch database) is required;\n     or run: SUNLIGHT_UPDATE_MIGRATIONS=NAME go test ./ent/migrate/migrations")
		os.Exit(2)
	}
	wrote, err := migrations.Generate(context.Background(), *devURL, *dir, *name)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	if !wrote {
		fmt.Println("the migration files are current; nothing written")
		return
	}
	fmt.Println("wrote a new migration into", *dir, "— review it and commit it with atlas.sum")
}
