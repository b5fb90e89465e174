//go:build generate

// Generate the CRD of KServe's LLMInferenceServiceConfig in example/ from
// the CRD generate.go has controller-gen write: go generate runs this file
// after generate.go, in file name order.

//go:generate go run ../../cmd/config-crd-gen --crd ../../_output/crd/serving.kserve.io_llminferenceservices.yaml --out ../../example/llminferenceserviceconfig-crd.yaml

package spec
