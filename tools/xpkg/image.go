package main

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

const (
	// entrypoint is where the function binary lives in the image. It matches
	// the Dockerfile, so both ways of building give the same runtime layout.
	entrypoint = "/function"

	// nonroot is distroless' nonroot user and group. Numeric, because this
	// image has no /etc/passwd to resolve a name, and because Kubernetes can
	// only enforce runAsNonRoot against a numeric user.
	nonroot = "65532:65532"

	// grpcPort is the port function-sdk-go serves on by default.
	grpcPort = "9443/tcp"
)

// epoch is the modification time of every file in the layer. A fixed time,
// rather than the binary's mtime, keeps the layer digest a function of the
// binary's content alone, so rebuilding the same binary gives the same image.
var epoch = time.Unix(0, 0).UTC()

// buildImage returns a single-layer linux image that runs binary as
// /function. It starts from an empty base instead of distroless: a static Go
// binary needs nothing else, and nothing has to be pulled to build it.
//
// The result depends only on binary and arch: no timestamps, user names or
// host paths leak into it, so its digest is reproducible.
func buildImage(binary []byte, arch string) (v1.Image, error) {
	layer, err := binaryLayer(binary)
	if err != nil {
		return nil, err
	}

	img, err := mutate.Append(empty.Image, mutate.Addendum{
		Layer: layer,
		// Say where the layer came from; the zero Created keeps it reproducible.
		History: v1.History{CreatedBy: "xpkg-image: COPY function " + entrypoint},
	})
	if err != nil {
		return nil, fmt.Errorf("cannot append function layer: %w", err)
	}

	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("cannot read image config: %w", err)
	}

	// Start from the config mutate.Append computed: it carries the layer's
	// diff ID and history, which must stay in step with the layers.
	cfg = cfg.DeepCopy()
	cfg.OS = "linux"
	cfg.Architecture = arch
	cfg.Created = v1.Time{}
	cfg.Config = v1.Config{
		Entrypoint:   []string{entrypoint},
		User:         nonroot,
		WorkingDir:   "/",
		ExposedPorts: map[string]struct{}{grpcPort: {}},
	}

	img, err = mutate.ConfigFile(img, cfg)
	if err != nil {
		return nil, fmt.Errorf("cannot set image config: %w", err)
	}

	return img, nil
}

// binaryLayer returns a layer holding binary at /function, mode 0755, owned
// by root. Root ownership with world read and execute is how distroless
// ships binaries: the nonroot user can run it but cannot replace it.
func binaryLayer(binary []byte) (v1.Layer, error) {
	buf := &bytes.Buffer{}
	tw := tar.NewWriter(buf)

	hdr := &tar.Header{
		Typeflag: tar.TypeReg,
		// Layer tarballs name files relative to the root, without a leading
		// slash, as docker build does.
		Name:    entrypoint[1:],
		Mode:    0o755,
		Size:    int64(len(binary)),
		ModTime: epoch,
		Format:  tar.FormatUSTAR,
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return nil, fmt.Errorf("cannot write layer header: %w", err)
	}
	if _, err := tw.Write(binary); err != nil {
		return nil, fmt.Errorf("cannot write function binary to layer: %w", err)
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("cannot close layer tarball: %w", err)
	}

	b := buf.Bytes()
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(b)), nil
	})
	if err != nil {
		return nil, fmt.Errorf("cannot create layer: %w", err)
	}
	return layer, nil
}
