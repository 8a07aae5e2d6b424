//go:build unix

package pdf

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time (user + system) the test process has
// used, so the batch benchmark can report CPU per report, which unlike
// wall time does not depend on what else the machine is running.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
