// Package clock is the time orgql stores: now, to the microsecond, which is
// what PostgreSQL keeps (it rounds anything finer), so a time answered right
// after a write is the time every later read answers.
package clock

import "time"

// Now is the current time to the microsecond.
func Now() time.Time { return time.Now().Truncate(time.Microsecond) }
