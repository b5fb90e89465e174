//go:build e2e && !linux

package e2e

import "os/exec"

// dieWithParent has no portable equivalent outside Linux: processes are
// stopped by the test's cleanup only.
func dieWithParent(*exec.Cmd) {}
