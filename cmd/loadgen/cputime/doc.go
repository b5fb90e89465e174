// Package cputime reads CPU time: this process's, on all its threads (the
// garbage collector's as well as the caller's), another process's, and the
// whole machine's. Unlike wall time, a process's CPU time does not grow while
// other processes hold the cores, so it measures what a piece of work costs
// even on a busy machine; the machine's says how busy it was meanwhile.
package cputime
