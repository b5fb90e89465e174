//go:build e2e

package e2e

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// A process is one component of the control plane, or the function. Its
// output goes to a log file in the test's directory, dumped when the test
// fails.
type process struct {
	name string
	cmd  *exec.Cmd
	log  string
	// The command line it was started with, so that a fault scenario can
	// start it again (soak_test.go).
	dir, bin  string
	env, args []string

	done chan struct{}
	err  error // why it exited; read only after done is closed
	// last is the end of the log when the test stopped the process, before
	// its shutdown messages: what a failure report needs.
	last string
}

// start runs bin with args and stops it when the test ends. Processes stop
// in the reverse order of their start (t.Cleanup is last in, first out), so
// Crossplane goes before the API server it talks to and etcd goes last.
func start(t *testing.T, dir, name, bin string, env []string, args ...string) *process {
	t.Helper()
	log := filepath.Join(dir, name+".log")
	// Appended to: a process started again writes after what it wrote
	// before.
	f, err := os.OpenFile(log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600) //nolint:gosec // a file in our own temporary directory.
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...) //nolint:gosec // binaries this repository builds.
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Env = append(os.Environ(), env...)
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		_ = f.Close()
		t.Fatalf("cannot start %s: %v", name, err)
	}
	p := &process{name: name, cmd: cmd, log: log, dir: dir, bin: bin, env: env, args: args, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		_ = f.Close()
		close(p.done)
	}()
	t.Cleanup(p.stop)
	return p
}

// stop asks the process to shut down and kills it if it hasn't within a few
// seconds: a slow shutdown must not hold up the test's end.
func (p *process) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	p.last = p.tail(logLines)
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// exited returns why the process has exited, or nil while it runs.
func (p *process) exited() error {
	select {
	case <-p.done:
		if p.err == nil {
			return fmt.Errorf("%s exited", p.name)
		}
		return fmt.Errorf("%s exited: %w", p.name, p.err)
	default:
		return nil
	}
}

// logLines is how much of each log a failed test shows.
const logLines = 40

// report is the end of the log as the process ran, for a failed test.
func (p *process) report() string {
	if p.last != "" {
		return p.last
	}
	return p.tail(logLines)
}

// tail returns the last n lines of the process's log.
func (p *process) tail(n int) string {
	f, err := os.Open(p.log)
	if err != nil {
		return err.Error()
	}
	defer f.Close() //nolint:errcheck // read only.
	var lines []string
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 0, 64*1024), 4*1024*1024)
	for s.Scan() {
		lines = append(lines, s.Text())
		if len(lines) > 2*n {
			lines = lines[len(lines)-n:]
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// freePort returns a loopback port nothing listens on. Another process could
// take it before ours binds it; on a test machine that is rare enough.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close() //nolint:errcheck // only used to pick a port.
	return l.Addr().(*net.TCPAddr).Port
}

// randomToken returns a bearer token for the API server's static token file.
func randomToken(t *testing.T) string {
	t.Helper()
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// A certAuthority issues every certificate the control plane needs: the API
// server's serving certificate, and both ends of the mTLS connection between
// Crossplane and the function. One CA keeps the trust simple: each party is
// given its certificate and ca.crt.
type certAuthority struct {
	cert    *x509.Certificate
	key     *ecdsa.PrivateKey
	certPEM []byte
	serial  int64
}

func newCertAuthority() (*certAuthority, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "function-llm-inference-service e2e CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &certAuthority{cert: cert, key: key, certPEM: pemBlock("CERTIFICATE", der), serial: 1}, nil
}

// issue returns a PEM certificate and key for cn, valid for a server at
// localhost and 127.0.0.1 and for a client alike: Go's TLS checks the
// extended key usage of each side.
func (ca *certAuthority) issue(cn string) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	ca.serial++
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(ca.serial),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return nil, nil, err
	}
	k, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pemBlock("CERTIFICATE", der), pemBlock("PRIVATE KEY", k), nil
}

// writeCertDir writes ca.crt, tls.crt and tls.key, the layout both
// Crossplane (--tls-client-certs-dir) and function-sdk-go
// (TLS_SERVER_CERTS_DIR) read.
func (ca *certAuthority) writeCertDir(dir, cn string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	crt, key, err := ca.issue(cn)
	if err != nil {
		return err
	}
	for name, data := range map[string][]byte{"ca.crt": ca.certPEM, "tls.crt": crt, "tls.key": key} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			return err
		}
	}
	return nil
}

func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

// writeSigningKeys writes a fresh ECDSA key pair: kube-apiserver signs
// service account tokens with the private key and verifies them with the
// public one.
func writeSigningKeys(private, public string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return err
	}
	if err := os.WriteFile(private, pemBlock("PRIVATE KEY", der), 0o600); err != nil {
		return err
	}
	return os.WriteFile(public, pemBlock("PUBLIC KEY", pub), 0o600)
}

// writeKubeconfig writes a kubeconfig for Crossplane and the controller
// manager, which load their configuration from a file like in a cluster.
func writeKubeconfig(path, server string, caPEM []byte, token string) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["e2e"] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: caPEM}
	cfg.AuthInfos["e2e"] = &clientcmdapi.AuthInfo{Token: token}
	cfg.Contexts["e2e"] = &clientcmdapi.Context{Cluster: "e2e", AuthInfo: "e2e"}
	cfg.CurrentContext = "e2e"
	return clientcmd.WriteToFile(*cfg, path)
}

// restConfig is the test's own client configuration.
func restConfig(server string, caPEM []byte, token string) *rest.Config {
	return &rest.Config{
		Host:            server,
		BearerToken:     token,
		TLSClientConfig: rest.TLSClientConfig{CAData: caPEM},
		// Polling a dozen objects every second must not be throttled.
		QPS:   100,
		Burst: 200,
	}
}

// waitHTTP polls url until it answers 200, or the process exits, or the
// timeout passes. client carries whatever TLS and auth the endpoint needs.
func waitHTTP(ctx context.Context, p *process, client *http.Client, url, token string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last string
	for time.Now().Before(deadline) {
		if err := p.exited(); err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rsp, err := client.Do(req)
		if err == nil {
			_ = rsp.Body.Close()
			if rsp.StatusCode == http.StatusOK {
				return nil
			}
			last = rsp.Status
		} else {
			last = err.Error()
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("%s did not answer 200 at %s within %s; last: %s", p.name, url, timeout, last)
}

// waitMTLS waits until the function completes a TLS handshake with
// Crossplane's client certificate: proof that the certificates fit together
// before Crossplane depends on them.
func waitMTLS(p *process, addr, clientDir string, timeout time.Duration) error {
	cert, err := tls.LoadX509KeyPair(filepath.Join(clientDir, "tls.crt"), filepath.Join(clientDir, "tls.key"))
	if err != nil {
		return err
	}
	caPEM, err := os.ReadFile(filepath.Join(clientDir, "ca.crt")) //nolint:gosec // our own file.
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: pool, MinVersion: tls.VersionTLS12, NextProtos: []string{"h2"}}
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		if err := p.exited(); err != nil {
			return err
		}
		c, err := tls.DialWithDialer(&net.Dialer{Timeout: time.Second}, "tcp", addr, cfg)
		if err == nil {
			return c.Close()
		}
		last = err
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("no mTLS handshake with %s at %s within %s: %w", p.name, addr, timeout, last)
}

// timings records how long each step of the test took, for the summary
// logged at the end.
type timings struct {
	mu    sync.Mutex
	steps []string
	start time.Time
}

// step runs fn as a named step, logs its duration and fails the test on
// error.
func (tm *timings) step(t *testing.T, name string, fn func() error) {
	t.Helper()
	began := time.Now()
	err := fn()
	d := time.Since(began).Round(10 * time.Millisecond)
	tm.mu.Lock()
	tm.steps = append(tm.steps, fmt.Sprintf("%-44s %8s", name, d))
	tm.mu.Unlock()
	if err != nil {
		t.Fatalf("%s (after %s): %v", name, d, err)
	}
	t.Logf("step %q took %s", name, d)
}

// record adds a step timed by its caller, such as a whole scenario.
func (tm *timings) record(name string, d time.Duration) {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	tm.steps = append(tm.steps, fmt.Sprintf("%-44s %8s", name, d.Round(10*time.Millisecond)))
}

func (tm *timings) summary() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return strings.Join(tm.steps, "\n") + fmt.Sprintf("\n%-44s %8s", "total", time.Since(tm.start).Round(10*time.Millisecond))
}

// processes are the control plane's processes and the function: what the
// test watches for an unexpected exit, and what a fault scenario stops and
// starts again (soak_test.go).
type processes struct {
	mu   sync.Mutex
	list []*process
	// held are the names of processes a scenario stopped on purpose: their
	// exit is no failure until they are started again.
	held map[string]bool
}

func (ps *processes) add(p *process) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	ps.list = append(ps.list, p)
}

// all returns every process, in the order they were started.
func (ps *processes) all() []*process {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return slices.Clone(ps.list)
}

// named returns the process called name, or nil.
func (ps *processes) named(name string) *process {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	for _, p := range ps.list {
		if p.name == name {
			return p
		}
	}
	return nil
}

// hold marks the process called name as stopped on purpose.
func (ps *processes) hold(name string) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ps.held == nil {
		ps.held = map[string]bool{}
	}
	ps.held[name] = true
}

// replace puts p, started again, in the place of the process of its name,
// and watches it again.
func (ps *processes) replace(p *process) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	for i, old := range ps.list {
		if old.name == p.name {
			ps.list[i] = p
		}
	}
	delete(ps.held, p.name)
}

// exited joins the exit errors of every process that has stopped, but for
// those stopped on purpose.
func (ps *processes) exited() error {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	var errs []error
	for _, p := range ps.list {
		if ps.held[p.name] {
			continue
		}
		if err := p.exited(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
