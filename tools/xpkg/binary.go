package main

import (
	"bytes"
	"debug/elf"
	"fmt"
)

// machines maps the GOARCH values a function image may be built for to the
// ELF machine their binaries are built for.
var machines = map[string]elf.Machine{
	"amd64":   elf.EM_X86_64,
	"arm64":   elf.EM_AARCH64,
	"ppc64le": elf.EM_PPC64,
	"s390x":   elf.EM_S390,
}

// checkBinary returns an error unless binary is a static linux executable for
// arch. The image has no libc and no dynamic loader, so a cgo or non-linux
// binary (say, `make build` run on a Mac) would build a perfectly good-looking
// image that then fails at runtime with a bare "no such file or directory".
// Catching it here turns that into a build error that names the cause.
func checkBinary(binary []byte, arch string) error {
	want, ok := machines[arch]
	if !ok {
		return fmt.Errorf("cannot build an image for architecture %q: want one of amd64, arm64, ppc64le, s390x", arch)
	}

	f, err := elf.NewFile(bytes.NewReader(binary))
	if err != nil {
		return fmt.Errorf("cannot read function binary as a linux executable (build it with GOOS=linux): %w", err)
	}
	defer f.Close() //nolint:errcheck // Closing a file read from memory cannot fail.

	if f.Machine != want {
		return fmt.Errorf("cannot use a %s binary in a %s image (build it with GOARCH=%s)", f.Machine, arch, arch)
	}
	if f.Type != elf.ET_EXEC && f.Type != elf.ET_DYN {
		return fmt.Errorf("cannot use ELF file of type %s as the function binary: want an executable", f.Type)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("cannot use a dynamically linked function binary: the image has no libc (build it with CGO_ENABLED=0)")
		}
	}
	return nil
}
