//go:build !unix

package cputime

import "time"

// Process returns false: only Unix reports a process's CPU time here.
func Process() (time.Duration, bool) { return 0, false }
