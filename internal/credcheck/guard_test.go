package credcheck_test

import (
	"context"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/orgql/orgql/internal/credcheck"
)

// everythingOK answers every check's request as a working service would.
func everythingOK(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/v2/":
	case strings.HasSuffix(r.URL.Path, "/user"):
		fmt.Fprint(w, `{"login":"octocat"}`)
	case strings.HasSuffix(r.URL.Path, "/index.yaml"):
		fmt.Fprint(w, helmIndex)
	default:
		http.NotFound(w, r)
	}
}

// guarded is a checker with the address guard on, trusting the fakes.
func guarded(f *fake) *credcheck.Checker {
	pool := x509.NewCertPool()
	pool.AddCert(f.Certificate())
	return &credcheck.Checker{RootCAs: pool, Timeout: 5 * time.Second}
}

// everyCheck runs the three checks at base (https://host[:port][/path]).
func everyCheck(c *credcheck.Checker, base string) map[string]credcheck.Result {
	host := strings.TrimPrefix(base, "https://")
	host, _, _ = strings.Cut(host, "/")
	ctx := context.Background()
	return map[string]credcheck.Result{
		"registry":  c.ContainerRegistry(ctx, credcheck.KindGenericCR, base, login(registryUser, secretPassword)),
		"git token": c.GitToken(ctx, credcheck.ProviderGitHub, base, "", secretToken),
		"helm":      c.HelmRepository(ctx, credcheck.HelmHTTPS, base, false, login(registryUser, secretPassword)),
		"helm oci":  c.HelmRepository(ctx, credcheck.HelmOCIGenericCR, "oci://"+host+"/charts", false, login(registryUser, secretPassword)),
	}
}

func port(f *fake) string {
	_, p, _ := net.SplitHostPort(f.host())
	return p
}

func TestGuardRefusesNonPublicAddresses(t *testing.T) {
	f := newFake(t, everythingOK)
	p := port(f)
	for _, target := range []string{
		f.URL, // 127.0.0.1
		"https://127.1.2.3:" + p,
		"https://localhost:" + p, // a name resolving to loopback
		"https://[::1]:" + p,
		"https://[::ffff:127.0.0.1]:" + p,
		"https://0.0.0.0:" + p, // reaches loopback on Linux
		"https://10.0.0.1",
		"https://10.20.30.40:8443",
		"https://172.16.0.1",
		"https://192.168.1.1",
		"https://169.254.169.254", // cloud metadata
		"https://[fd00:ec2::254]", // AWS metadata over IPv6
		"https://[fe80::1]",
		"https://100.64.0.1",
		"https://224.0.0.1",
		"https://[64:ff9b::a00:1]", // NAT64 of 10.0.0.1
	} {
		t.Run(target, func(t *testing.T) {
			for check, r := range everyCheck(guarded(f), target) {
				if r.Status != credcheck.BlockedAddress {
					t.Errorf("%s: status = %s (%q), want %s", check, r.Status, r.Message, credcheck.BlockedAddress)
				}
				noSecret(t, r.Message)
			}
		})
	}
	if n := len(f.seen()); n != 0 {
		t.Fatalf("the guard let %d requests through to loopback", n)
	}
}

func TestGuardLetsPublicAddressesThrough(t *testing.T) {
	// The fake stands for a public host: the guard is on, and the checks work.
	f := newFake(t, everythingOK)
	c := guarded(f)
	credcheck.TreatAsPublic(c, f.host())
	for check, r := range everyCheck(c, f.URL) {
		if r.Status != credcheck.OK {
			t.Errorf("%s: status = %s (%q), want OK", check, r.Status, r.Message)
		}
	}
}

func TestGuardRefusesRedirectsToNonPublicAddresses(t *testing.T) {
	inner := newFake(t, everythingOK)
	p := port(inner)
	for _, to := range []string{
		inner.URL,
		"https://localhost:" + p,
		"https://[::1]:" + p,
		"https://10.0.0.1",
		"https://169.254.169.254/latest/meta-data",
	} {
		t.Run(to, func(t *testing.T) {
			outer := newFake(t, func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, to+r.URL.Path, http.StatusFound)
			})
			c := guarded(outer)
			credcheck.TreatAsPublic(c, outer.host())
			for check, r := range everyCheck(c, outer.URL) {
				if r.Status != credcheck.BlockedAddress {
					t.Errorf("%s: status = %s (%q), want %s", check, r.Status, r.Message, credcheck.BlockedAddress)
				}
			}
			if len(outer.seen()) == 0 {
				t.Fatal("the public host was not asked")
			}
		})
	}
	if n := len(inner.seen()); n != 0 {
		t.Fatalf("a redirect reached loopback %d times", n)
	}
}

func TestGuardRefusesATokenServiceOnANonPublicAddress(t *testing.T) {
	inner := newFake(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{"token":"t"}`) })
	for _, realm := range []string{inner.URL + "/token", "https://169.254.169.254/token", "https://localhost:" + port(inner) + "/token"} {
		t.Run(realm, func(t *testing.T) {
			outer := newFake(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="`+realm+`",service="x"`)
				w.WriteHeader(http.StatusUnauthorized)
			})
			c := guarded(outer)
			credcheck.TreatAsPublic(c, outer.host())
			expect(t, c.ContainerRegistry(context.Background(), credcheck.KindGenericCR, outer.URL, login(registryUser, secretPassword)), credcheck.BlockedAddress)
		})
	}
	if n := len(inner.seen()); n != 0 {
		t.Fatalf("the credentials reached a token service on loopback %d times", n)
	}
}
