package wiring

// EtcdRequestBytes is etcd's default --max-request-bytes, 1.5 MiB: the
// largest write etcd accepts, so the largest object the API server can
// store, whatever its own limits.
const EtcdRequestBytes = 1536 * 1024

// MaxObjectBytes is the most an object this project writes (a generated
// XRD or CRD, a composed resource) may be as JSON, which is how the API
// server stores custom resources and sends objects to etcd: about half of
// EtcdRequestBytes, leaving room for what others add to the stored object
// once it is applied (the managed fields of server-side apply,
// controllers' annotations and status).
const MaxObjectBytes = 800 * 1024
