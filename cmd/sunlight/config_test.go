package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// helpFlags runs "sunlight ARGS --help" and returns each flag's usage line.
func helpFlags(t *testing.T, args ...string) map[string]string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = w
	err = run(context.Background(), append(args, "--help"), io.Discard)
	os.Stderr = saved
	w.Close()
	out, _ := io.ReadAll(r)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("sunlight %s --help = %v", strings.Join(args, " "), err)
	}
	flags := map[string]string{}
	name := ""
	for _, line := range strings.Split(string(out), "\n") {
		if m := regexp.MustCompile(`^  -([a-z-]+)`).FindStringSubmatch(line); m != nil {
			name = m[1]
			flags[name] = line
		} else if name != "" {
			flags[name] += " " + strings.TrimSpace(line)
		}
	}
	return flags
}

// The README's configuration table lists every flag of every command, with
// its environment variable, and nothing else.
func TestReadmeConfigurationTableMatchesTheFlags(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	section := string(readme)
	if i := strings.Index(section, "## Configuration"); i >= 0 {
		section = section[i:]
	}
	if i := strings.Index(section[3:], "\n## "); i >= 0 {
		section = section[:i+3]
	}
	type row struct{ env string }
	table := map[string]map[string]row{} // command → flag → row
	cell := regexp.MustCompile("`([^`]*)`")
	for _, line := range strings.Split(section, "\n") {
		cols := strings.Split(line, "|")
		if len(cols) < 6 || !strings.HasPrefix(strings.TrimSpace(cols[1]), "`--") {
			continue
		}
		flagName := strings.TrimPrefix(cell.FindStringSubmatch(cols[1])[1], "--")
		env := ""
		if m := cell.FindStringSubmatch(cols[2]); m != nil {
			env = m[1]
		}
		for _, cmd := range strings.Fields(cols[4]) {
			if table[cmd] == nil {
				table[cmd] = map[string]row{}
			}
			table[cmd][flagName] = row{env}
		}
	}
	commands := map[string][]string{
		"serve": {"serve"}, "jobs": {"jobs"}, "migrate": {"migrate"}, "demo": {"demo"},
		"report": {"report", "monthly"}, "verify": {"verify"}, "backup": {"backup"}, "export": {"export"},
		"token": {"token", "create"},
	}
	for cmd := range table {
		if commands[cmd] == nil {
			t.Errorf("the README's table names a command %q that sunlight does not have", cmd)
		}
	}
	names := make([]string, 0, len(commands))
	for c := range commands {
		names = append(names, c)
	}
	sort.Strings(names)
	for _, cmd := range names {
		help := helpFlags(t, commands[cmd]...)
		for f, usage := range help {
			r, ok := table[cmd][f]
			if !ok {
				t.Errorf("sunlight %s --%s is missing from the README's configuration table", cmd, f)
				continue
			}
			if r.env != "" && !strings.Contains(usage, r.env) {
				t.Errorf("sunlight %s --help does not name %s for --%s as the README does: %s", cmd, r.env, f, usage)
			}
		}
		for f := range table[cmd] {
			if _, ok := help[f]; !ok {
				t.Errorf("the README lists --%s for %s, which has no such flag", f, cmd)
			}
		}
	}
}
