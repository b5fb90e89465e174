//go:build !linux

package main

import (
	"errors"
	"os/exec"
)

// The load run reads the server's memory from /proc.
var errNotLinux = errors.New("loadgen run needs Linux's /proc")

func dieWithParent(*exec.Cmd)    {}
func peakRSS(int) (int64, error) { return 0, errNotLinux }
