// Package v1beta1 contains the input type for this Function: the defaults a
// platform team sets in its Composition.
//
// +kubebuilder:object:generate=true
// +groupName=llminferenceservice.fn.crossplane.io
// +versionName=v1beta1
package v1beta1
