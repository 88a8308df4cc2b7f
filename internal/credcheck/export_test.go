package credcheck

import (
	"net/http"
	"net/netip"
	"time"
)

// TreatAsPublic lets the address guard pass hostport ("127.0.0.1:port") as
// if it were a public address, so a loopback fake can stand for a public
// host whose redirects or token service point somewhere forbidden.
func TreatAsPublic(c *Checker, hostport string) {
	if c.treatAsPublic == nil {
		c.treatAsPublic = map[netip.AddrPort]bool{}
	}
	c.treatAsPublic[netip.MustParseAddrPort(hostport)] = true
}

// SetClock fixes the time requests are signed at.
func SetClock(c *Checker, now func() time.Time) { c.now = now }

// SignV4 is the ECR check's request signer, for fakes that verify what they
// receive (the signer itself is proven against AWS's published example).
func SignV4(req *http.Request, payload []byte, id, secret, region, service string, t time.Time) {
	signV4(req, payload, awsKeys{id, secret}, region, service, t)
}
