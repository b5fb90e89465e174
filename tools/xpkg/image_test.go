package main

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// fakeBinary stands in for the function: buildImage copies bytes and must not
// care what they are.
var fakeBinary = []byte("\x7fELF not really a function binary")

func TestBuildImage(t *testing.T) {
	cases := map[string]struct {
		arch string
	}{
		"AMD64": {arch: "amd64"},
		"ARM64": {arch: "arm64"},
	}

	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			img, err := buildImage(fakeBinary, tc.arch)
			if err != nil {
				t.Fatalf("buildImage(...): %v", err)
			}

			cfg, err := img.ConfigFile()
			if err != nil {
				t.Fatalf("img.ConfigFile(): %v", err)
			}
			assertRuntimeConfig(t, cfg, tc.arch)
			if !cfg.Created.IsZero() {
				t.Errorf("cfg.Created = %v, want zero so the digest is reproducible", cfg.Created)
			}

			layers, err := img.Layers()
			if err != nil {
				t.Fatalf("img.Layers(): %v", err)
			}
			if len(layers) != 1 {
				t.Fatalf("len(img.Layers()) = %d, want 1", len(layers))
			}
			if got := len(cfg.History); got != 1 {
				t.Errorf("len(cfg.History) = %d, want 1 (one entry per layer)", got)
			}

			hdr, content := readFunction(t, mutate.Extract(img))
			if !bytes.Equal(content, fakeBinary) {
				t.Errorf("/function content = %q, want %q", content, fakeBinary)
			}
			if hdr.Mode != 0o755 {
				t.Errorf("/function mode = %o, want 755", hdr.Mode)
			}
			if hdr.Uid != 0 || hdr.Gid != 0 {
				t.Errorf("/function owner = %d:%d, want 0:0 so nonroot cannot replace it", hdr.Uid, hdr.Gid)
			}
			if !hdr.ModTime.Equal(epoch) {
				t.Errorf("/function mtime = %v, want %v", hdr.ModTime, epoch)
			}
		})
	}
}

func TestBuildImageIsReproducible(t *testing.T) {
	digest := func(binary []byte, arch string) v1.Hash {
		t.Helper()
		img, err := buildImage(binary, arch)
		if err != nil {
			t.Fatalf("buildImage(...): %v", err)
		}
		d, err := img.Digest()
		if err != nil {
			t.Fatalf("img.Digest(): %v", err)
		}
		return d
	}

	first, second := digest(fakeBinary, "amd64"), digest(fakeBinary, "amd64")
	if first != second {
		t.Errorf("two builds of the same binary: digests %s and %s, want equal", first, second)
	}
	if other := digest([]byte("another binary"), "amd64"); other == first {
		t.Errorf("a different binary gave the same digest %s", other)
	}
	if other := digest(fakeBinary, "arm64"); other == first {
		t.Errorf("a different architecture gave the same digest %s", other)
	}
}

func TestCheckBinary(t *testing.T) {
	amd64 := goBuild(t, "amd64")
	arm64 := goBuild(t, "arm64")

	cases := map[string]struct {
		binary  []byte
		arch    string
		wantErr string
	}{
		"StaticAMD64":     {binary: amd64, arch: "amd64"},
		"StaticARM64":     {binary: arm64, arch: "arm64"},
		"WrongArch":       {binary: arm64, arch: "amd64", wantErr: "cannot use a EM_AARCH64 binary in a amd64 image"},
		"UnknownArch":     {binary: amd64, arch: "x86_64", wantErr: `cannot build an image for architecture "x86_64"`},
		"NotAnExecutable": {binary: fakeBinary, arch: "amd64", wantErr: "cannot read function binary as a linux executable"},
	}

	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			err := checkBinary(tc.binary, tc.arch)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("checkBinary(...): %v, want no error", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("checkBinary(...): %v, want error containing %q", err, tc.wantErr)
			}
		})
	}
}

// TestRun writes a tarball the way `make image` does and reads it back the
// way `crossplane xpkg build --embed-runtime-image-tarball` does.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	binary := goBuild(t, "amd64")
	binPath := filepath.Join(dir, "function")
	if err := os.WriteFile(binPath, binary, 0o755); err != nil {
		t.Fatal(err)
	}

	out := filepath.Join(dir, "runtime-amd64.tar")
	digest, err := run(binPath, "amd64", "function-llm-inference-service:dev", out)
	if err != nil {
		t.Fatalf("run(...): %v", err)
	}

	img, err := tarball.ImageFromPath(out, nil)
	if err != nil {
		t.Fatalf("tarball.ImageFromPath(%s): %v", out, err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatalf("img.ConfigFile(): %v", err)
	}
	assertRuntimeConfig(t, cfg, "amd64")

	// The digest survives the round trip through the tarball: what `make
	// image` prints is what xpkg build reads.
	if got, err := img.Digest(); err != nil || got != digest {
		t.Errorf("digest read back = %s (%v), want %s", got, err, digest)
	}

	if _, err := run(filepath.Join(dir, "missing"), "amd64", "fn:dev", out); err == nil || !strings.Contains(err.Error(), "cannot read function binary") {
		t.Errorf("run(missing binary): %v, want a 'cannot read function binary' error", err)
	}
	if _, err := run(binPath, "amd64", "Not A Tag", out); err == nil || !strings.Contains(err.Error(), "cannot parse tag") {
		t.Errorf("run(bad tag): %v, want a 'cannot parse tag' error", err)
	}
}

// assertRuntimeConfig checks what Crossplane and a container runtime read
// from the image config to start the function.
func assertRuntimeConfig(t *testing.T, cfg *v1.ConfigFile, arch string) {
	t.Helper()
	if cfg.OS != "linux" || cfg.Architecture != arch {
		t.Errorf("platform = %s/%s, want linux/%s", cfg.OS, cfg.Architecture, arch)
	}
	if got := cfg.Config.Entrypoint; len(got) != 1 || got[0] != "/function" {
		t.Errorf("Entrypoint = %q, want [/function]", got)
	}
	if got := cfg.Config.User; got != "65532:65532" {
		t.Errorf("User = %q, want 65532:65532", got)
	}
	if _, ok := cfg.Config.ExposedPorts["9443/tcp"]; !ok || len(cfg.Config.ExposedPorts) != 1 {
		t.Errorf("ExposedPorts = %v, want only 9443/tcp", cfg.Config.ExposedPorts)
	}
	if got := cfg.Config.WorkingDir; got != "/" {
		t.Errorf("WorkingDir = %q, want /", got)
	}
}

// readFunction returns the header and content of /function in a flattened
// image filesystem, failing the test if it is absent.
func readFunction(t *testing.T, fs io.ReadCloser) (*tar.Header, []byte) {
	t.Helper()
	defer fs.Close() //nolint:errcheck // Only read from.

	tr := tar.NewReader(fs)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			t.Fatal("image filesystem has no /function")
		}
		if err != nil {
			t.Fatalf("cannot read image filesystem: %v", err)
		}
		if strings.TrimPrefix(hdr.Name, "/") != "function" {
			continue
		}
		content, err := io.ReadAll(tr)
		if err != nil {
			t.Fatalf("cannot read /function: %v", err)
		}
		return hdr, content
	}
}

// goBuild compiles a trivial static program for linux/goarch, so the ELF
// checks run against what the Go toolchain really produces.
func goBuild(t *testing.T, goarch string) []byte {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":  "module fake\n\ngo 1.26\n",
		"main.go": "package main\n\nfunc main() {}\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	out := filepath.Join(dir, "fake")
	cmd := exec.Command("go", "build", "-trimpath", "-o", out, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch, "GOFLAGS=")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cannot build fake %s binary: %v\n%s", goarch, err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
