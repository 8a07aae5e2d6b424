package archive

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"
)

// ErrChanged is returned when the bytes the archive holds are not the bytes
// whose SHA-256 the report records: the file was changed after publishing.
var ErrChanged = errors.New("the archived file differs from the published report")

// Integrity reads published reports from the archive and hands out only
// bytes whose SHA-256 equals the report's record. A mismatch is remembered
// until the file is read back whole again (repaired) or the process
// restarts, so that readiness can fail without rereading the archive.
type Integrity struct {
	a *Archive
	// OnMismatch is called once per mismatch found (a metric); nil: none.
	OnMismatch func()

	mu       sync.Mutex
	bad      map[string]string // key → the recorded SHA-256
	probed   time.Time         // when Writable last ran
	writable error             // and what it found
}

// probeEvery bounds how often readiness writes to the archive.
const probeEvery = 30 * time.Second

// NewIntegrity checks the reads of a.
func NewIntegrity(a *Archive) *Integrity {
	return &Integrity{a: a, bad: map[string]string{}}
}

// Read returns the whole file at key if its SHA-256 is sha256hex, and
// ErrChanged (logged as an ERROR) if it is not.
func (i *Integrity) Read(ctx context.Context, key, sha256hex string) ([]byte, error) {
	data, err := i.a.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	got := hex.EncodeToString(sum[:])
	if !strings.EqualFold(got, sha256hex) {
		slog.ErrorContext(ctx, "archived report changed after publishing: refused",
			"key", key, "recorded_sha256", sha256hex, "file_sha256", got, "size", len(data))
		i.mu.Lock()
		i.bad[key] = sha256hex
		i.mu.Unlock()
		if i.OnMismatch != nil {
			i.OnMismatch()
		}
		return nil, fmt.Errorf("report %s: recorded SHA-256 %s, file %s: %w", key, sha256hex, got, ErrChanged)
	}
	i.mu.Lock()
	delete(i.bad, key)
	i.mu.Unlock()
	return data, nil
}

// Known says whether the file at key was last found changed (no read).
func (i *Integrity) Known(key string) bool {
	i.mu.Lock()
	defer i.mu.Unlock()
	_, ok := i.bad[key]
	return ok
}

// Check is the readiness check of the archive: it must take a write (checked
// at most every 30 s), and no file found changed may still be changed. Only
// those few files are reread, so a repaired file makes the instance ready
// again without a restart.
func (i *Integrity) Check(ctx context.Context) error {
	i.mu.Lock()
	stale := time.Since(i.probed) >= probeEvery || i.writable != nil
	i.mu.Unlock()
	if stale {
		err := i.a.Writable(ctx)
		i.mu.Lock()
		i.probed, i.writable = time.Now(), err
		i.mu.Unlock()
		if err != nil {
			return err
		}
	}
	i.mu.Lock()
	bad := make(map[string]string, len(i.bad))
	for k, v := range i.bad {
		bad[k] = v
	}
	i.mu.Unlock()
	var still []string
	for key, sha := range bad {
		data, err := i.a.Get(ctx, key)
		if err == nil {
			sum := sha256.Sum256(data)
			if strings.EqualFold(hex.EncodeToString(sum[:]), sha) {
				i.mu.Lock()
				if i.bad[key] == sha {
					delete(i.bad, key)
				}
				i.mu.Unlock()
				continue
			}
		}
		still = append(still, key)
	}
	if len(still) == 0 {
		return nil
	}
	sort.Strings(still)
	return fmt.Errorf("%d archived report(s) differ from their record: %s", len(still), strings.Join(still, ", "))
}
