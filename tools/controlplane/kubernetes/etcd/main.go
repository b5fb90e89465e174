// Command etcd is etcd's server, built from its pinned Go module for the
// end-to-end test (test/e2e): etcd publishes its server as a library
// (etcdmain) but its own main package lives in a module that isn't needed
// here, and Debian's etcd is too old for kube-apiserver v1.34.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
