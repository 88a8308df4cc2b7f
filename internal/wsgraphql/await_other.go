//go:build !linux

package wsgraphql

import "net"

// awaitData: elsewhere the read itself waits (await_linux.go says why not there).
func awaitData(net.Conn) {}
