//go:build generate

// Generate the deepcopy methods and the CRD that documents the Function input.
// controller-gen is built from the pinned tools/controller-gen module by
// `make generate`.

//go:generate rm -rf ../package/input/
//go:generate ../bin/controller-gen paths=./v1beta1 object crd:crdVersions=v1 output:artifacts:config=../package/input

package input
