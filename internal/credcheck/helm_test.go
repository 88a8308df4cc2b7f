package credcheck_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/orgql/orgql/internal/credcheck"
)

const helmIndex = `apiVersion: v1
entries:
  nginx:
  - apiVersion: v2
    name: nginx
    version: 1.0.0
    urls:
    - https://charts.example.com/nginx-1.0.0.tgz
generated: "2026-01-01T00:00:00Z"
`

// helmRepo serves body as <prefix>/index.yaml, to the known login when
// private.
func helmRepo(prefix, body string, private bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != prefix+"/index.yaml" {
			http.NotFound(w, r)
			return
		}
		if u, p, ok := r.BasicAuth(); private && !(ok && u == registryUser && p == secretPassword) {
			w.Header().Set("WWW-Authenticate", `Basic realm="charts"`)
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, "bad login %s:%s", u, p)
			return
		}
		w.Header().Set("Content-Type", "application/x-yaml")
		fmt.Fprint(w, body)
	}
}

func TestHelmHTTPSRepository(t *testing.T) {
	big := helmIndex + strings.Repeat("# padding to make the index larger than what is read\n", 60000)
	for _, tc := range []struct {
		name  string
		h     http.HandlerFunc
		path  string
		creds map[string]string
		want  credcheck.Status
	}{
		{"private, good credentials", helmRepo("/charts", helmIndex, true), "/charts", login(registryUser, secretPassword), credcheck.OK},
		{"private, trailing slash", helmRepo("/charts", helmIndex, true), "/charts/", login(registryUser, secretPassword), credcheck.OK},
		{"private, wrong password", helmRepo("/charts", helmIndex, true), "/charts", login(registryUser, secretToken), credcheck.InvalidCredentials},
		{"private, anonymous", helmRepo("/charts", helmIndex, true), "/charts", nil, credcheck.InvalidCredentials},
		{"public, anonymous", helmRepo("", helmIndex, false), "", nil, credcheck.OK},
		{"public, with credentials", helmRepo("", helmIndex, false), "", login(registryUser, secretPassword), credcheck.OK},
		{"index written as JSON", helmRepo("", `{"apiVersion":"v1","entries":{"nginx":[]},"generated":"2026-01-01T00:00:00Z"}`, false), "", nil, credcheck.OK},
		{"index larger than what is read", helmRepo("", big, false), "", nil, credcheck.OK},
		{"index behind a document start", helmRepo("", "---\n# comment\n"+helmIndex, false), "", nil, credcheck.OK},
		{"half a login", helmRepo("", helmIndex, false), "", map[string]string{"username": registryUser}, credcheck.InvalidConfiguration},
		{"no index there", helmRepo("/charts", helmIndex, false), "/other", nil, credcheck.NotFound},
		{"forbidden", status(403, secretPassword), "", login(registryUser, secretPassword), credcheck.Forbidden},
		{"server error", status(503, ""), "", nil, credcheck.UnexpectedResponse},
		{"a web page", helmRepo("", "<!DOCTYPE html>\n<html><a href=\"https://example.com\">charts</a></html>", false), "", nil, credcheck.UnexpectedResponse},
		{"YAML without entries", helmRepo("", "apiVersion: v1\ngenerated: now\n", false), "", nil, credcheck.UnexpectedResponse},
		{"YAML without apiVersion", helmRepo("", "entries: {}\n", false), "", nil, credcheck.UnexpectedResponse},
		{"empty apiVersion", helmRepo("", "apiVersion:\nentries: {}\n", false), "", nil, credcheck.UnexpectedResponse},
		{"a YAML list", helmRepo("", "- apiVersion: v1\n- entries: {}\n", false), "", nil, credcheck.UnexpectedResponse},
		{"JSON without entries", helmRepo("", `{"apiVersion":"v1"}`, false), "", nil, credcheck.UnexpectedResponse},
		{"JSON with entries not a map", helmRepo("", `{"apiVersion":"v1","entries":[1]}`, false), "", nil, credcheck.UnexpectedResponse},
		{"empty body", helmRepo("", "", false), "", nil, credcheck.UnexpectedResponse},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, tc.h)
			r := checker(f).HelmRepository(context.Background(), credcheck.HelmHTTPS, f.URL+tc.path, false, tc.creds)
			expect(t, r, tc.want)
		})
	}
}

func TestHelmSkipTLSVerification(t *testing.T) {
	f := newFake(t, helmRepo("", helmIndex, false))
	untrusting := &credcheck.Checker{AllowPrivateNetworks: true, Timeout: 5 * time.Second}
	expect(t, untrusting.HelmRepository(context.Background(), credcheck.HelmHTTPS, f.URL, false, nil), credcheck.TLSError)
	expect(t, untrusting.HelmRepository(context.Background(), credcheck.HelmHTTPS, f.URL, true, nil), credcheck.OK)

	// OCI repositories are registries: the setting does not apply to them.
	reg := newRegistry(t, openRegistry, "", "", false)
	expect(t, untrusting.HelmRepository(context.Background(), credcheck.HelmOCIGenericCR, "oci://"+reg.host()+"/charts", true, nil), credcheck.TLSError)
}

func TestHelmOCIRepository(t *testing.T) {
	for _, kind := range []string{credcheck.HelmOCIGenericCR, credcheck.HelmOCIGitHubCR, credcheck.HelmOCIGitLabCR} {
		t.Run(kind, func(t *testing.T) {
			f := newRegistry(t, bearerRegistry, registryUser, secretPassword, false)
			c := checker(f)
			url := "oci://" + f.host() + "/org/charts"
			expect(t, c.HelmRepository(context.Background(), kind, url, false, login(registryUser, secretPassword)), credcheck.OK)
			expect(t, c.HelmRepository(context.Background(), kind, url, false, login(registryUser, secretToken)), credcheck.InvalidCredentials)
			expect(t, c.HelmRepository(context.Background(), kind, url, false, nil), credcheck.InvalidCredentials)
			if p := f.seen()[0].URL.Path; p != "/v2/" {
				t.Fatalf("an OCI repository is checked at the host's /v2/, not %s", p)
			}
		})
	}
	t.Run(credcheck.HelmOCIDockerHub, func(t *testing.T) {
		f := newRegistry(t, bearerRegistry, registryUser, secretPassword, false)
		c := checker(f)
		c.DockerHubRegistry = f.URL
		expect(t, c.HelmRepository(context.Background(), credcheck.HelmOCIDockerHub, "oci://registry-1.docker.io/bitnamicharts", false, login(registryUser, secretPassword)), credcheck.OK)
	})
	t.Run(credcheck.HelmOCIScalewayCR, func(t *testing.T) {
		f := newRegistry(t, basicRegistry, "nologin", secretScaleway, false)
		creds := map[string]string{"scalewayAccessKey": "SCW", "scalewaySecretKey": secretScaleway, "scalewayProjectID": "p", "region": "nl-ams"}
		expect(t, checker(f).HelmRepository(context.Background(), credcheck.HelmOCIScalewayCR, "oci://"+f.host()+"/ns", false, creds), credcheck.OK)
	})
	t.Run(credcheck.HelmOCIECR, func(t *testing.T) {
		api := newECRAPI(t, false, false)
		reg := newRegistry(t, basicRegistry, "AWS", secretECRLogin, false)
		c := checker(reg)
		c.ECREndpoint = api.URL
		expect(t, c.HelmRepository(context.Background(), credcheck.HelmOCIECR, "oci://"+reg.host()+"/charts", false, awsCreds(secretAWSKey)), credcheck.OK)
		expect(t, c.HelmRepository(context.Background(), credcheck.HelmOCIECR, "oci://"+reg.host()+"/charts", false, awsCreds(secretPassword)), credcheck.InvalidCredentials)
	})
	t.Run(credcheck.HelmOCIPublicECR, func(t *testing.T) {
		reg := newRegistry(t, bearerRegistry, "AWS", secretECRLogin, true)
		expect(t, checker(reg).HelmRepository(context.Background(), credcheck.HelmOCIPublicECR, "oci://"+reg.host()+"/charts", false, nil), credcheck.OK)
	})
}

func TestHelmRepositorySettings(t *testing.T) {
	f := newFake(t, helmRepo("", helmIndex, false))
	c := checker(f)
	for _, tc := range []struct {
		name, kind, url string
		want            credcheck.Status
	}{
		{"HTTPS kind with an oci URL", credcheck.HelmHTTPS, "oci://" + f.host(), credcheck.InvalidConfiguration},
		{"HTTPS kind with plain http", credcheck.HelmHTTPS, "http://" + f.host(), credcheck.InvalidConfiguration},
		{"HTTPS URL with credentials", credcheck.HelmHTTPS, "https://" + registryUser + ":" + secretPassword + "@" + f.host(), credcheck.InvalidConfiguration},
		{"OCI kind with an https URL", credcheck.HelmOCIGenericCR, f.URL, credcheck.InvalidConfiguration},
		{"OCI URL with credentials", credcheck.HelmOCIGenericCR, "oci://" + registryUser + ":" + secretPassword + "@" + f.host(), credcheck.InvalidConfiguration},
		{"OCI URL without host", credcheck.HelmOCIGenericCR, "oci:///charts", credcheck.InvalidConfiguration},
		{"unknown kind", "GIT", f.URL, credcheck.NotSupported},
		{"empty URL", credcheck.HelmHTTPS, "", credcheck.InvalidConfiguration},
	} {
		t.Run(tc.name, func(t *testing.T) {
			expect(t, c.HelmRepository(context.Background(), tc.kind, tc.url, false, login(registryUser, secretPassword)), tc.want)
		})
	}
	if n := len(f.seen()); n != 0 {
		t.Fatalf("refused settings must not be fetched; %d requests", n)
	}
}

func TestHelmUnreachableSlowAndRedirects(t *testing.T) {
	f := newFake(t, hang)
	c := checker(f)
	expect(t, c.HelmRepository(context.Background(), credcheck.HelmHTTPS, closedURL(t), false, nil), credcheck.Unreachable)
	expect(t, c.HelmRepository(context.Background(), credcheck.HelmHTTPS, "https://charts.nonexistent.invalid", false, nil), credcheck.Unreachable)
	expect(t, c.HelmRepository(context.Background(), credcheck.HelmOCIGenericCR, "oci://"+strings.TrimPrefix(closedURL(t), "https://")+"/x", false, nil), credcheck.Unreachable)

	slow := checker(f)
	slow.Timeout = 200 * time.Millisecond
	expect(t, slow.HelmRepository(context.Background(), credcheck.HelmHTTPS, f.URL, false, nil), credcheck.Timeout)
	expect(t, slow.HelmRepository(context.Background(), credcheck.HelmOCIGenericCR, "oci://"+f.host()+"/x", false, nil), credcheck.Timeout)

	t.Run("same host keeps the credentials", func(t *testing.T) {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/old/index.yaml" {
				http.Redirect(w, r, "/new/index.yaml", http.StatusMovedPermanently)
				return
			}
			helmRepo("/new", helmIndex, true)(w, r)
		})
		expect(t, checker(f).HelmRepository(context.Background(), credcheck.HelmHTTPS, f.URL+"/old", false, login(registryUser, secretPassword)), credcheck.OK)
	})
	t.Run("another host does not get them", func(t *testing.T) {
		target := newFake(t, helmRepo("", helmIndex, true))
		from := newFake(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, target.URL+"/index.yaml", http.StatusFound)
		})
		expect(t, checker(from).HelmRepository(context.Background(), credcheck.HelmHTTPS, from.URL, false, login(registryUser, secretPassword)), credcheck.InvalidCredentials)
		for _, r := range target.seen() {
			if r.Header.Get("Authorization") != "" {
				t.Fatal("credentials followed a redirect to another host")
			}
		}
	})
	t.Run("not to plain http", func(t *testing.T) {
		plain, requests := newPlainServer(t)
		f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://"+plain+"/index.yaml", http.StatusFound)
		})
		expect(t, checker(f).HelmRepository(context.Background(), credcheck.HelmHTTPS, f.URL, false, nil), credcheck.UnexpectedResponse)
		if n := requests(); n != 0 {
			t.Fatalf("the plain-http address must not be fetched; %d requests", n)
		}
	})
}
