// Package push lets a subscription's source deliver each value itself, on
// the goroutine that produced it, so that no goroutine of the transport
// waits on the source's channel (docs/architecture.md "WebSocket
// transport"): a transport offers a Sink in the operation's context; a
// source that takes it sends each value on a buffered channel and then calls
// Pushed, which has the transport read that value and write it out.
package push

import (
	"context"
	"errors"
	"sync/atomic"
)

// ErrTimeout: the client did not take the value within the transport's
// write timeout; the transport has closed the connection.
var ErrTimeout = errors.New("push: the client did not take the value in time")

// ErrGone: the operation or its connection ended; the value was not sent.
var ErrGone = errors.New("push: the subscriber is gone")

// Sink is one operation's.
type Sink struct {
	taken   atomic.Bool
	ready   chan struct{}
	deliver func() error
}

// NewSink is a transport's, for one operation.
func NewSink() *Sink { return &Sink{ready: make(chan struct{})} }

type key struct{}

// WithSink offers s to the source of the operation of ctx.
func WithSink(ctx context.Context, s *Sink) context.Context {
	return context.WithValue(ctx, key{}, s)
}

// Take returns the sink of ctx for the source to push to, or nil when the
// transport offers none (the source then keeps a goroutine reading its
// channel). A source takes it once it is sure to return its channel.
func Take(ctx context.Context) *Sink {
	s, _ := ctx.Value(key{}).(*Sink)
	if s == nil || !s.taken.CompareAndSwap(false, true) {
		return nil
	}
	return s
}

// Taken reports whether the source took s: the transport then delivers
// only when told, and starts no goroutine for the operation.
func (s *Sink) Taken() bool { return s.taken.Load() }

// Serve is the transport's: deliver reads the next value from the
// operation (the one just sent, or the channel's close) and writes it.
func (s *Sink) Serve(deliver func() error) {
	s.deliver = deliver
	close(s.ready)
}

// Pushed is the source's, after each value it sent on its channel and after
// closing it: the value is delivered before Pushed returns.
func (s *Sink) Pushed() error {
	<-s.ready
	return s.deliver()
}
