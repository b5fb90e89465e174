//go:build e2e

package e2e

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// The catalog is installed as a platform installs it: the Makefile builds
// the Configuration package, the test pushes it to an OCI registry it
// serves on loopback (go-containerregistry's, in memory), and Crossplane's
// package manager pulls it from there and installs its XRDs and
// Compositions. The scenarios run on those, not on files applied by hand;
// only the render fixtures' Compositions, which the package does not carry
// (see the Makefile's CONFIGURATION_OBJECTS), are applied by exampleXR.
var (
	configurationGVK         = schema.GroupVersionKind{Group: "pkg.crossplane.io", Version: "v1", Kind: "Configuration"}
	configurationRevisionGVK = schema.GroupVersionKind{Group: "pkg.crossplane.io", Version: "v1", Kind: "ConfigurationRevision"}
)

// catalog is what the Configuration package installed.
type catalog struct {
	// revision is the ConfigurationRevision that owns the objects.
	revision string
	// objects are the package's objects, as the Makefile put them in it.
	objects []*unstructured.Unstructured
}

// has reports whether the package carries the object of obj's kind and
// name.
func (c *catalog) has(obj *unstructured.Unstructured) bool {
	return slices.ContainsFunc(c.objects, func(o *unstructured.Unstructured) bool {
		return o.GetKind() == obj.GetKind() && o.GetName() == obj.GetName()
	})
}

// buildCatalog builds the Configuration package into dir with the
// Makefile's recipe, the one `make xpkg` runs, and returns the package file
// and the objects the package carries: the YAML files of the directory it
// was built from, but its metadata.
func buildCatalog(root, dir string) (string, []*unstructured.Unstructured, error) {
	pkgRoot, file := filepath.Join(dir, "configuration"), filepath.Join(dir, "configuration.xpkg")
	cmd := exec.Command("make", "--no-print-directory", "xpkg-configuration", //nolint:gosec // the repository's Makefile.
		"CONFIGURATION_ROOT="+pkgRoot, "CONFIGURATION_FILE="+file)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", nil, fmt.Errorf("make xpkg-configuration: %w\n%s", err, out)
	}
	var objs []*unstructured.Unstructured
	err := filepath.WalkDir(pkgRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".yaml" || path == filepath.Join(pkgRoot, "crossplane.yaml") {
			return err
		}
		o, err := readObjects(path)
		objs = append(objs, o...)
		return err
	})
	if err != nil {
		return "", nil, err
	}
	if len(objs) == 0 {
		return "", nil, fmt.Errorf("the Configuration package built in %s carries no objects", pkgRoot)
	}
	return file, objs, nil
}

// serveRegistry serves an OCI registry on a free loopback port until the
// test ends, logging to dir/registry.log, and returns its host:port.
// Crossplane, like go-containerregistry, speaks plain HTTP to a registry at
// 127.0.0.1 (after trying HTTPS), so it needs no TLS, no flag and no
// ImageConfig to pull from it.
func serveRegistry(t *testing.T, dir string) (string, error) {
	t.Helper()
	logFile, err := os.Create(filepath.Join(dir, "registry.log")) //nolint:gosec // the test's directory.
	if err != nil {
		return "", err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = logFile.Close()
		return "", err
	}
	srv := &http.Server{
		Handler:           registry.New(registry.Logger(log.New(logFile, "", log.LstdFlags))),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_, _ = fmt.Fprintf(logFile, "registry stopped: %v\n", err)
		}
	}()
	t.Cleanup(func() {
		_ = srv.Close()
		_ = logFile.Close()
	})
	return l.Addr().String(), nil
}

// pushCatalog pushes the package file to the registry at host, at the
// repository and tag example/configuration.yaml names, and returns the
// Configuration to apply: example/configuration.yaml, pulling from there.
// The function is registered by hand (registerFunction), so the package's
// dependency on it is not resolved; and Crossplane built without its
// release's -ldflags reports no version, so the package's Crossplane
// version constraint cannot be checked (xpkg build lints its syntax).
func pushCatalog(ctx context.Context, root, host, file string) (*unstructured.Unstructured, error) {
	path := filepath.Join(root, "example", "configuration.yaml")
	objs, err := readObjects(path)
	if err != nil {
		return nil, err
	}
	if len(objs) != 1 || objs[0].GroupVersionKind() != configurationGVK {
		return nil, fmt.Errorf("%s: want one Configuration, got %d objects", path, len(objs))
	}
	cfg := objs[0]
	src, _, _ := unstructured.NestedString(cfg.Object, "spec", "package")
	ref, err := name.ParseReference(src)
	if err != nil {
		return nil, fmt.Errorf("%s spec.package: %w", path, err)
	}
	local, err := name.ParseReference(host + "/" + ref.Context().RepositoryStr() + ":" + ref.Identifier())
	if err != nil {
		return nil, err
	}
	img, err := tarball.ImageFromPath(file, nil)
	if err != nil {
		return nil, fmt.Errorf("cannot open %s: %w", file, err)
	}
	if err := remote.Write(local, img, remote.WithContext(ctx)); err != nil {
		return nil, fmt.Errorf("cannot push %s to %s: %w", file, local, err)
	}
	for field, v := range map[string]any{
		"package":                     local.String(),
		"skipDependencyResolution":    true,
		"ignoreCrossplaneConstraints": true,
	} {
		if err := unstructured.SetNestedField(cfg.Object, v, "spec", field); err != nil {
			return nil, err
		}
	}
	return cfg, nil
}

// installCatalog applies the Configuration and waits until the package
// manager has installed it: the Configuration Installed and Healthy, its
// active revision Healthy, pulled from the loopback registry, and every
// object of the package controlled by that revision.
func (e *env) installCatalog(t *testing.T, cfg *unstructured.Unstructured, objs []*unstructured.Unstructured) (*catalog, error) {
	t.Helper()
	ctx := context.Background()
	if _, err := e.apply(ctx, cfg); err != nil {
		return nil, err
	}
	want, _, _ := unstructured.NestedString(cfg.Object, "spec", "package")
	var rev string
	e.eventually(t, 3*time.Minute, "Configuration "+cfg.GetName()+" installed and healthy", func(ctx context.Context) (bool, string, error) {
		got, err := e.get(ctx, configurationGVK, "", cfg.GetName())
		if err != nil || got == nil {
			return false, "not found", err
		}
		rev, _, _ = unstructured.NestedString(got.Object, "status", "currentRevision")
		return rev != "" && conditionIs(got, "Installed", "True") && conditionIs(got, "Healthy", "True"), describe(got), nil
	})
	var revision *unstructured.Unstructured
	e.eventually(t, 3*time.Minute, "ConfigurationRevision "+rev+" healthy", func(ctx context.Context) (bool, string, error) {
		got, err := e.get(ctx, configurationRevisionGVK, "", rev)
		if err != nil || got == nil {
			return false, "not found", err
		}
		image, _, _ := unstructured.NestedString(got.Object, "spec", "image")
		if image != want {
			return false, fmt.Sprintf("spec.image %q, want %q", image, want), nil
		}
		revision = got
		return conditionIs(got, "RevisionHealthy", "True"), describe(got), nil
	})
	// The revision lists what it established by name and UID (Crossplane
	// v2.4.0 leaves apiVersion and kind empty there).
	refs := objectRefs(revision)
	var installed []string
	for _, o := range objs {
		got, err := e.get(ctx, o.GroupVersionKind(), "", o.GetName())
		if err != nil {
			return nil, err
		}
		id := o.GetKind() + " " + o.GetName()
		if got == nil {
			return nil, fmt.Errorf("%s is not in the API server", id)
		}
		if !controlledBy(got, revision) {
			return nil, fmt.Errorf("%s is not controlled by ConfigurationRevision %s: owner references %v", id, rev, got.GetOwnerReferences())
		}
		if !refs[got.GetName()+" "+string(got.GetUID())] {
			return nil, fmt.Errorf("ConfigurationRevision %s does not list %s in status.objectRefs", rev, id)
		}
		installed = append(installed, id)
	}
	if len(refs) != len(objs) {
		return nil, fmt.Errorf("ConfigurationRevision %s lists %d objects in status.objectRefs, want the package's %d: %v", rev, len(refs), len(objs), refs)
	}
	t.Logf("ConfigurationRevision %s installed %s", rev, strings.Join(installed, ", "))
	return &catalog{revision: rev, objects: objs}, nil
}

// objectRefs returns a package revision's status.objectRefs as a set of
// "name uid".
func objectRefs(rev *unstructured.Unstructured) map[string]bool {
	l, _, _ := unstructured.NestedSlice(rev.Object, "status", "objectRefs")
	out := make(map[string]bool, len(l))
	for _, r := range l {
		m, _ := r.(map[string]any)
		n, _ := m["name"].(string)
		uid, _ := m["uid"].(string)
		out[n+" "+uid] = true
	}
	return out
}
