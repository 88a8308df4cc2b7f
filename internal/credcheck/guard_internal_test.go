package credcheck

import (
	"net/netip"
	"testing"
)

func TestIsPublic(t *testing.T) {
	for _, tc := range []struct {
		addr   string
		public bool
	}{
		{"8.8.8.8", true},
		{"1.1.1.1", true},
		{"52.95.110.1", true},
		{"100.63.255.255", true},
		{"100.128.0.0", true},
		{"172.15.255.255", true},
		{"172.32.0.0", true},
		{"223.255.255.255", true},
		{"2606:4700:4700::1111", true},
		{"2a00:1450:4007:80e::200e", true},
		{"64:ff9b::808:808", true}, // NAT64 of 8.8.8.8
		{"::ffff:8.8.8.8", true},

		{"0.0.0.0", false},
		{"0.1.2.3", false},
		{"10.0.0.1", false},
		{"100.64.0.1", false},
		{"100.127.255.255", false},
		{"127.0.0.1", false},
		{"127.255.255.254", false},
		{"169.254.169.254", false},
		{"172.16.0.1", false},
		{"172.31.255.255", false},
		{"192.0.0.8", false},
		{"192.0.2.1", false},
		{"192.88.99.1", false},
		{"192.168.0.1", false},
		{"198.18.0.1", false},
		{"198.19.255.255", false},
		{"198.51.100.7", false},
		{"203.0.113.9", false},
		{"224.0.0.251", false},
		{"239.255.255.250", false},
		{"240.0.0.1", false},
		{"255.255.255.255", false},
		{"::", false},
		{"::1", false},
		{"::127.0.0.1", false}, // IPv4-compatible, deprecated
		{"::ffff:127.0.0.1", false},
		{"::ffff:169.254.169.254", false},
		{"fc00::1", false},
		{"fd00:ec2::254", false},
		{"fe80::1", false},
		{"fe80::1%eth0", false},
		{"ff02::1", false},
		{"64:ff9b::a00:1", false},     // NAT64 of 10.0.0.1
		{"64:ff9b::7f00:1", false},    // NAT64 of 127.0.0.1
		{"64:ff9b:1::808:808", false}, // local-use NAT64
		{"100::1", false},             // discard
		{"2001::1", false},            // Teredo
		{"2001:db8::1", false},
		{"2002:a00:1::1", false}, // 6to4 of 10.0.0.1
		{"3fff::1", false},
	} {
		if got := isPublic(netip.MustParseAddr(tc.addr)); got != tc.public {
			t.Errorf("isPublic(%s) = %v, want %v", tc.addr, got, tc.public)
		}
	}
}

func TestDialControlRefusesWhatItCannotRead(t *testing.T) {
	c := &Checker{}
	for _, addr := range []string{"", "localhost:443", "127.0.0.1", "[::1]"} {
		if err := c.dialControl("tcp", addr, nil); err != errBlockedAddress {
			t.Errorf("dialControl(%q) = %v, want the blocked-address error", addr, err)
		}
	}
	if err := c.dialControl("tcp4", "8.8.8.8:443", nil); err != nil {
		t.Errorf("a public address is refused: %v", err)
	}
}
