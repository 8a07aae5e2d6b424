package jobs

import (
	"sync"

	"sunlight/ent"
)

// announcer hands published reports to the reportPublished subscribers of
// this process; the Scheduler and the Feed both announce through one.
type announcer struct {
	mu          sync.Mutex
	subscribers map[int]chan<- *ent.Report
	next        int
}

// Subscribe registers ch for every report announced from now on; the
// returned func unsubscribes. A slow subscriber misses reports rather than
// holding up publishing.
func (a *announcer) Subscribe(ch chan<- *ent.Report) func() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.subscribers == nil {
		a.subscribers = map[int]chan<- *ent.Report{}
	}
	id := a.next
	a.next++
	a.subscribers[id] = ch
	return func() {
		a.mu.Lock()
		defer a.mu.Unlock()
		delete(a.subscribers, id)
	}
}

func (a *announcer) announce(r *ent.Report) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, ch := range a.subscribers {
		select {
		case ch <- r:
		default:
		}
	}
}
