package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestDockerfileBuildsWithTheGoOfGoMod: the Dockerfile's Go image is the
// Go release go.mod asks for (1.26 for go 1.26.x), and it builds this
// command as a static binary; an upgrade of one without the other shows
// here rather than as an image that fails to build.
func TestDockerfileBuildsWithTheGoOfGoMod(t *testing.T) {
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	docker, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("go.mod names no go version")
	}
	image := regexp.MustCompile(`(?m)^ARG GO_IMAGE=golang:(\d+\.\d+)`).FindSubmatch(docker)
	if image == nil {
		t.Fatal("the Dockerfile has no ARG GO_IMAGE=golang:X.Y…")
	}
	if string(image[1]) != string(m[1]) {
		t.Errorf("the Dockerfile builds with Go %s, go.mod asks for %s", image[1], m[1])
	}
	// A module replaced by a directory of the repository (the patched
	// gofpdf) must have its go.mod in the image before `go mod download`,
	// which runs before the rest of the source is copied.
	download := strings.Index(string(docker), "go mod download")
	for _, r := range regexp.MustCompile(`=> \./(\S+)`).FindAllSubmatch(mod, -1) {
		copyMod := "COPY " + string(r[1]) + "/go.mod "
		if at := strings.Index(string(docker), copyMod); at < 0 || at > download {
			t.Errorf("the Dockerfile does not %s… before go mod download (go.mod replaces a module with ./%s)", copyMod, r[1])
		}
	}
	for _, want := range []string{"CGO_ENABLED=0", "./cmd/sunlight", "ENTRYPOINT"} {
		if !strings.Contains(string(docker), want) {
			t.Errorf("the Dockerfile lacks %s", want)
		}
	}
}
