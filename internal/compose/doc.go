// Package compose builds the typed Kubernetes objects an LLMInferenceService
// needs. Builders take the decoded spec and the platform configuration and
// return objects; they never read the request or write the response.
package compose
