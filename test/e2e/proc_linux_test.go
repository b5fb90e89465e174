//go:build e2e

package e2e

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the kernel kill the process when the test binary dies,
// so that a test killed by its timeout or by Ctrl-C leaves no etcd,
// API server or Crossplane running on the machine.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
