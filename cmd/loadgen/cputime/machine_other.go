//go:build !linux

package cputime

import "time"

// Machine returns false: only Linux's /proc/stat is read here.
func Machine() (time.Duration, bool) { return 0, false }

// Of returns false: only Linux's /proc is read here.
func Of(int) (time.Duration, bool) { return 0, false }
