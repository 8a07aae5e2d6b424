package server

import (
	"testing"
	"time"
)

func TestRateLimiterRefills(t *testing.T) {
	now := time.Date(2026, 10, 31, 9, 0, 0, 0, time.UTC)
	l := newRateLimiter(2, 3, "", func() time.Time { return now })
	steps := []struct {
		advance time.Duration
		key     string
		want    bool
	}{
		{0, "a", true}, {0, "a", true}, {0, "a", true}, {0, "a", false}, // the burst
		{0, "b", true},                      // another key
		{500 * time.Millisecond, "a", true}, // one token back after 1/rate
		{0, "a", false},                     //
		{10 * time.Second, "a", true},       // full again, but never more than the burst
		{0, "a", true}, {0, "a", true}, {0, "a", false},
	}
	for i, s := range steps {
		now = now.Add(s.advance)
		ok, wait := l.allow(s.key)
		if ok != s.want {
			t.Fatalf("step %d (%s): allowed %v, want %v", i, s.key, ok, s.want)
		}
		if !ok && (wait <= 0 || wait > time.Second/2) {
			t.Fatalf("step %d: wait %s, want in (0, 500ms]", i, wait)
		}
	}
	// Idle buckets are forgotten.
	now = now.Add(2 * time.Minute)
	l.allow("c")
	if len(l.buckets) != 1 {
		t.Fatalf("%d buckets after the sweep, want only c's", len(l.buckets))
	}
}
