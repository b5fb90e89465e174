package compose

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// kubeExpand expands a command or arg as the kubelet does before the
// container starts: $(NAME) from the container's env (left as written when
// unset), $$ to $.
func kubeExpand(s string, env map[string]string) string {
	ref := regexp.MustCompile(`\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)
	return ref.ReplaceAllStringFunc(s, func(m string) string {
		if m == "$$" {
			return "$"
		}
		if v, ok := env[m[2:len(m)-1]]; ok {
			return v
		}
		return m
	})
}

// TestDataParallelLauncher runs the launcher of data parallel pods in a
// real shell, with the command and args as the kubelet expands them and a
// vllm on PATH that prints what it is started with: each pod's first rank,
// and the leader's address resolved with getent as KServe's launcher does.
func TestDataParallelLauncher(t *testing.T) {
	if _, err := exec.LookPath("getent"); err != nil {
		t.Skip("no getent on this machine")
	}
	bin := t.TempDir()
	fake := "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n"
	if err := os.WriteFile(filepath.Join(bin, "vllm"), []byte(fake), 0o755); err != nil { //nolint:gosec // An executable for the test.
		t.Fatal(err)
	}
	cases := map[string]struct {
		reason string
		env    map[string]string
		want   []string
	}{
		"Worker": {
			reason: "Worker 3 of a group of 8 local ranks runs ranks 24 onwards; the leader's name resolves to its address.",
			env:    map[string]string{"LWS_LEADER_ADDRESS": "localhost", "LWS_WORKER_INDEX": "3"},
			want:   []string{"serve", "/mnt/models", "--port", "8000", "--data-parallel-address", "127.0.0.1", "--data-parallel-start-rank", "24"},
		},
		"Leader": {
			reason: "The leader's index may be unset: it runs ranks 0 onwards.",
			env:    map[string]string{"LWS_LEADER_ADDRESS": "localhost"},
			want:   []string{"serve", "/mnt/models", "--port", "8000", "--data-parallel-address", "127.0.0.1", "--data-parallel-start-rank", "0"},
		},
		"NoResolution": {
			reason: "With DP_ADDRESS_RESOLVE_ATTEMPTS=0 the name is used as it is.",
			env:    map[string]string{"LWS_LEADER_ADDRESS": "localhost", "LWS_WORKER_INDEX": "1", "DP_ADDRESS_RESOLVE_ATTEMPTS": "0"},
			want:   []string{"serve", "/mnt/models", "--port", "8000", "--data-parallel-address", "localhost", "--data-parallel-start-rank", "8"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			command := []string{"/bin/sh", "-c", dataParallelLauncher(8), "vllm"}
			args := []string{"/mnt/models", "--port", "8000"}
			var argv []string
			for _, a := range append(command, args...) {
				argv = append(argv, kubeExpand(a, tc.env))
			}
			cmd := exec.CommandContext(t.Context(), argv[0], argv[1:]...) //nolint:gosec // The launcher under test.
			cmd.Env = []string{"PATH=" + bin + ":" + os.Getenv("PATH")}
			for k, v := range tc.env {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%s\nlauncher: %v\n%s", tc.reason, err, out)
			}
			if diff := cmp.Diff(tc.want, strings.Split(strings.TrimSpace(string(out)), "\n")); diff != "" {
				t.Errorf("%s\nvllm started with: -want, +got:\n%s", tc.reason, diff)
			}
		})
	}
}
