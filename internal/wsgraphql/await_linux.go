package wsgraphql

import (
	"errors"
	"net"
	"syscall"
)

// awaitData returns once the socket has bytes to read, or has ended, and
// parks meanwhile a few frames deep: a goroutine parked inside
// coder/websocket's read keeps a stack four times that path's depth.
// It peeks without consuming, and waits only after the socket said it has
// nothing (EAGAIN), so that it never sleeps on bytes already there. Bytes
// already read into the connection's buffer are the caller's to look for.
func awaitData(nc net.Conn) {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return
	}
	_ = rc.Read(func(fd uintptr) bool {
		var b [1]byte
		n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		// n == 0 without an error: the client closed; the read will say so.
		return n > 0 || err == nil || !errors.Is(err, syscall.EAGAIN) && !errors.Is(err, syscall.EINTR)
	})
}
