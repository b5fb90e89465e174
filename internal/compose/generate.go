//go:build generate

// Generate the PodMonitor CRD test/validate and the e2e control plane check
// composed PodMonitors against: prometheus-operator's API module ships the
// types but no CRD, and the operator's own module is not served by the
// module proxy. controller-gen writes every kind of the package; only the
// PodMonitor's is committed. Descriptions are dropped (maxDescLen=0): only
// the schema matters to the tests.

//go:generate ../../bin/controller-gen crd:crdVersions=v1,maxDescLen=0 paths=github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1 output:crd:dir=../../_output/monitoring-crd
//go:generate cp ../../_output/monitoring-crd/monitoring.coreos.com_podmonitors.yaml ../../test/validate/crds/monitoring.coreos.com_podmonitors.yaml

package compose
