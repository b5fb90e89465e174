//go:build generate

// Generate the XRDs in example/ from the types in this package. The CRD
// controller-gen writes is an intermediate: only the XRDs are committed.
// Descriptions are dropped (maxDescLen=0) to keep the XRDs small, as KServe
// does for its CRD.

//go:generate ../../bin/controller-gen crd:crdVersions=v1,maxDescLen=0 paths=. output:crd:dir=../../_output/crd
//go:generate go run ../../cmd/xrd-gen --crd ../../_output/crd/serving.kserve.io_llminferenceservices.yaml --out ../../example

package spec
