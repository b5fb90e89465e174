// Command xpkg-image assembles the function's runtime image from a static
// binary and writes it as a docker-style image tarball, ready for
// `crossplane xpkg build --embed-runtime-image-tarball`.
//
// It exists because the Dockerfile needs a Docker engine, which CI sandboxes
// and this project's build machines do not always have. The image it builds
// is what the Dockerfile's final stage holds, minus distroless' extra files
// (CA bundle, tzdata, /etc/passwd), which the function does not use: it only
// serves gRPC on certificates Crossplane mounts for it.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

func main() {
	binary := flag.String("binary", "bin/function", "Path to the static linux function binary.")
	arch := flag.String("arch", "amd64", "GOARCH the binary was built for; recorded in the image config.")
	tag := flag.String("tag", "function-llm-inference-service:dev", "Tag recorded in the image tarball.")
	output := flag.String("output", "_output/runtime-amd64.tar", "Path of the image tarball to write.")
	flag.Parse()

	digest, err := run(*binary, *arch, *tag, *output)
	if err != nil {
		fmt.Fprintf(os.Stderr, "xpkg-image: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %s (%s, linux/%s) digest %s\n", *output, *tag, *arch, digest)
}

// run builds the image for the binary at binaryPath, writes it to output and
// returns its digest.
func run(binaryPath, arch, tag, output string) (v1.Hash, error) {
	// Parse the tag first: it is the cheapest thing to get wrong.
	ref, err := name.NewTag(tag)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("cannot parse tag %q: %w", tag, err)
	}

	binary, err := os.ReadFile(binaryPath) //nolint:gosec // Reading the file the user names is the point.
	if err != nil {
		return v1.Hash{}, fmt.Errorf("cannot read function binary: %w", err)
	}
	if err := checkBinary(binary, arch); err != nil {
		return v1.Hash{}, fmt.Errorf("%s: %w", binaryPath, err)
	}

	img, err := buildImage(binary, arch)
	if err != nil {
		return v1.Hash{}, err
	}
	// Create the output directory so a fresh checkout needs no mkdir first.
	if err := os.MkdirAll(filepath.Dir(output), 0o755); err != nil { //nolint:gosec // Build output, not secret.
		return v1.Hash{}, fmt.Errorf("cannot create output directory: %w", err)
	}
	if err := tarball.WriteToFile(output, ref, img); err != nil {
		return v1.Hash{}, fmt.Errorf("cannot write image tarball %s: %w", output, err)
	}

	digest, err := img.Digest()
	if err != nil {
		return v1.Hash{}, fmt.Errorf("cannot compute image digest: %w", err)
	}
	return digest, nil
}
