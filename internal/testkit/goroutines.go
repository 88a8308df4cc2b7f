package testkit

import "runtime/metrics"

// GoroutinesCreated is how many goroutines the process has started: what a
// request started is the difference across it.
func GoroutinesCreated() uint64 {
	s := []metrics.Sample{{Name: "/sched/goroutines-created:goroutines"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
