package live_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/orgql/orgql/ent"
	"github.com/orgql/orgql/internal/live"
	"github.com/orgql/orgql/internal/push"
	"github.com/orgql/orgql/internal/testkit"
)

// A stream whose transport takes values through a push.Sink delivers them
// from its own goroutine, in order, one at a time; a value the client did
// not take in time (push.ErrTimeout) ends it as a slow subscriber, and the
// transport hears of its end through the closed channel.
func TestPushedStreams(t *testing.T) {
	testkit.Run(t, func(t *testing.T, e *testkit.Env) {
		alice := e.SignIn(t, "alice")
		org := alice.CreateOrg(t)
		callerCtx, same := asCaller(t, e, alice)
		lim := live.Limits{SendTimeout: time.Hour, Recheck: time.Hour}

		for _, tc := range []struct {
			name    string
			deliver error // what the transport answers the second value
			want    error
		}{
			{"a client too slow for the second event", push.ErrTimeout, live.ErrSlow},
			{"a client that went away", push.ErrGone, nil},
		} {
			ctx, cancel := context.WithCancel(callerCtx)
			sink := push.NewSink()
			ended := make(chan error, 1)
			out, err := e.Server.Live.Events(push.WithSink(ctx, sink), org.ID, nil, 0, same, lim, func(err error) { ended <- err })
			if err != nil {
				t.Fatal(err)
			}
			if !sink.Taken() {
				t.Fatal("the stream did not take the transport's sink")
			}
			var got []*ent.OrganizationEvent
			closed := make(chan struct{})
			sink.Serve(func() error {
				// The value is there when Pushed is called: nothing waits.
				select {
				case ev, open := <-out:
					if !open {
						close(closed)
						return push.ErrGone
					}
					got = append(got, ev)
				default:
					t.Error("Pushed before a value was sent")
				}
				if len(got) == 2 {
					if tc.deliver == push.ErrGone {
						cancel() // as the transport does when the connection ends
					}
					return tc.deliver
				}
				return nil
			})
			describe(t, alice, org.ID, "one")
			describe(t, alice, org.ID, "two")
			describe(t, alice, org.ID, "three")
			select {
			case <-closed:
			case <-time.After(guard):
				t.Fatalf("%s: the stream did not end", tc.name)
			}
			if len(got) != 2 || got[0].Sequence >= got[1].Sequence {
				t.Errorf("%s: delivered %d events, want the first two in order", tc.name, len(got))
			}
			select {
			case err := <-ended:
				if !errors.Is(err, tc.want) || tc.want == nil {
					t.Errorf("%s: ended with %v, want %v", tc.name, err, tc.want)
				}
			default:
				if tc.want != nil {
					t.Errorf("%s: no end reported, want %v", tc.name, tc.want)
				}
			}
			cancel()
		}
	})
}
