package jobs

import (
	"context"

	"sunlight/calendar"
	entreport "sunlight/ent/report"
)

// SetAfterRender lets tests interrupt a run between rendering and storing.
func (s *Scheduler) SetAfterRender(f func(ctx context.Context, kind entreport.Kind, code string, p calendar.Period) error) {
	s.afterRender = f
}
