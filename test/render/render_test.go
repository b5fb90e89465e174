// Package render runs the real crossplane CLI's render against the function,
// served over gRPC exactly as Crossplane would call it, for every example,
// and compares the output with committed golden files, one per composed
// object. Every composed object is then validated against the real schema
// of its kind.
package render

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files with the current output")

// env is what TestMain set up: the CLI, and the address the function serves
// on.
var env struct {
	root       string
	crossplane string
	target     string
}

func TestMain(m *testing.M) {
	flag.Parse()
	stop, err := setup()
	if err != nil {
		fmt.Fprintln(os.Stderr, "render tests: setup:", err)
		os.Exit(1)
	}
	code := m.Run()
	stop()
	os.Exit(code)
}

// setup builds the crossplane CLI from the pinned tools module and the
// function from this checkout, and serves the function on a free loopback
// port.
func setup() (func(), error) {
	root, err := filepath.Abs("../..")
	if err != nil {
		return nil, err
	}
	env.root = root
	bin := filepath.Join(root, "bin")
	env.crossplane = filepath.Join(bin, "crossplane")
	// go build is incremental: a no-op when the CLI is current.
	if err := run(filepath.Join(root, "tools", "crossplane"), "go", "build", "-o", env.crossplane, "github.com/crossplane/crossplane/v2/cmd/crank"); err != nil {
		return nil, fmt.Errorf("cannot build the crossplane CLI: %w", err)
	}
	tmp, err := os.MkdirTemp("", "render-test-")
	if err != nil {
		return nil, err
	}
	fn := filepath.Join(tmp, "function")
	if err := run(root, "go", "build", "-o", fn, "."); err != nil {
		return nil, fmt.Errorf("cannot build the function: %w", err)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	env.target = fmt.Sprintf("127.0.0.1:%d", port)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, fn, "--insecure", "--address="+env.target, "--metrics-address=127.0.0.1:0") //nolint:gosec // our own binary.
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, fmt.Errorf("cannot start the function: %w", err)
	}
	stop := func() {
		cancel()
		_ = cmd.Wait()
		_ = os.RemoveAll(tmp)
	}
	if err := waitListening(env.target, 30*time.Second); err != nil {
		stop()
		return nil, err
	}
	return stop, nil
}

func run(dir string, name string, args ...string) error {
	cmd := exec.Command(name, args...) //nolint:gosec // fixed tool invocations.
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, out)
	}
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close() //nolint:errcheck // only used to pick a port.
	return l.Addr().(*net.TCPAddr).Port, nil
}

func waitListening(addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			return c.Close()
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("the function did not listen on %s within %s", addr, timeout)
}

// render runs crossplane render with args (files and flags, absolute
// paths) against the function TestMain serves, with the function results.
func render(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	args = append(append([]string{"render"}, args...),
		"--include-function-results",
		"--function-annotations=render.crossplane.io/runtime-development-target="+env.target,
		"--timeout=30s",
	)
	cmd := exec.Command(env.crossplane, args...) //nolint:gosec // our own CLI.
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.String(), e.String(), err
}
