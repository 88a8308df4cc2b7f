package credcheck_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/orgql/orgql/internal/credcheck"
)

const issuedToken = "issued-bearer-token"

// registryMode is how a fake registry asks for credentials.
type registryMode int

const (
	openRegistry   registryMode = iota // /v2/ answers 200 to anyone
	basicRegistry                      // 401 Basic, then basic auth
	bearerRegistry                     // 401 Bearer realm=<fake>/token, then a token
)

// newRegistry is a fake Docker Registry API v2 accepting user:pass. With
// anonymous, its token service also issues tokens to nobody in particular.
func newRegistry(t *testing.T, mode registryMode, user, pass string, anonymous bool) *fake {
	t.Helper()
	var f *fake
	f = newFake(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v2/":
			switch mode {
			case openRegistry:
				return
			case basicRegistry:
				if u, p, ok := r.BasicAuth(); ok && u == user && p == pass {
					return
				}
				w.Header().Set("WWW-Authenticate", `Basic realm="fake registry"`)
			case bearerRegistry:
				switch r.Header.Get("Authorization") {
				case "Bearer " + issuedToken:
					return
				case "Bearer anonymous-token":
					if anonymous {
						return
					}
				}
				w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="%s/token",service="%s",scope="registry:catalog:*"`, f.URL, fakeService))
			}
			w.WriteHeader(http.StatusUnauthorized)
		case "/token":
			if r.URL.Query().Get("service") != fakeService || r.URL.Query().Get("scope") != "registry:catalog:*" {
				http.Error(w, "bad token request", http.StatusBadRequest)
				return
			}
			u, p, ok := r.BasicAuth()
			switch {
			case ok && u == user && p == pass:
				fmt.Fprintf(w, `{"token":%q,"expires_in":300}`, issuedToken)
			case !ok && anonymous:
				fmt.Fprint(w, `{"access_token":"anonymous-token"}`)
			default:
				// Registries do reflect what they were sent; the checker
				// must not pass it on.
				w.WriteHeader(http.StatusUnauthorized)
				fmt.Fprintf(w, `{"details":"incorrect username or password %s:%s"}`, u, p)
			}
		default:
			http.NotFound(w, r)
		}
	})
	return f
}

func login(user, pass string) map[string]string {
	return map[string]string{"username": user, "password": pass}
}

type registryCase struct {
	name  string
	setup func(t *testing.T) (c *credcheck.Checker, kind, url string, creds map[string]string)
	want  credcheck.Status
	after func(t *testing.T, r credcheck.Result)
}

func runRegistryCases(t *testing.T, cases []registryCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, kind, url, creds := tc.setup(t)
			r := c.ContainerRegistry(context.Background(), kind, url, creds)
			expect(t, r, tc.want)
			if r.ExpiresAt != nil {
				t.Fatalf("a registry check reports no expiry, got %v", r.ExpiresAt)
			}
			if tc.after != nil {
				tc.after(t, r)
			}
		})
	}
}

// onRegistry sets a case up against one fake registry.
func onRegistry(mode registryMode, anonymous bool, kind string, creds map[string]string) func(t *testing.T) (*credcheck.Checker, string, string, map[string]string) {
	return func(t *testing.T) (*credcheck.Checker, string, string, map[string]string) {
		f := newRegistry(t, mode, registryUser, secretPassword, anonymous)
		return checker(f), kind, f.URL, creds
	}
}

func TestRegistryLogins(t *testing.T) {
	runRegistryCases(t, []registryCase{
		{"basic, good credentials", onRegistry(basicRegistry, false, credcheck.KindGenericCR, login(registryUser, secretPassword)), credcheck.OK, nil},
		{"basic, wrong password", onRegistry(basicRegistry, false, credcheck.KindGenericCR, login(registryUser, secretToken)), credcheck.InvalidCredentials, nil},
		{"basic, wrong user", onRegistry(basicRegistry, false, credcheck.KindGenericCR, login("someone", secretPassword)), credcheck.InvalidCredentials, nil},
		{"basic, anonymous", onRegistry(basicRegistry, false, credcheck.KindGenericCR, nil), credcheck.InvalidCredentials, nil},
		{"bearer, good credentials", onRegistry(bearerRegistry, false, credcheck.KindGitHubCR, login(registryUser, secretPassword)), credcheck.OK, nil},
		{"bearer, wrong password", onRegistry(bearerRegistry, false, credcheck.KindGitLabCR, login(registryUser, secretToken)), credcheck.InvalidCredentials, nil},
		{"bearer, anonymous allowed", onRegistry(bearerRegistry, true, credcheck.KindGitHubCR, nil), credcheck.OK, nil},
		{"bearer, anonymous refused", onRegistry(bearerRegistry, false, credcheck.KindGitLabCR, nil), credcheck.InvalidCredentials, nil},
		{"open registry, anonymous", onRegistry(openRegistry, false, credcheck.KindGenericCR, nil), credcheck.OK, nil},
		{"open registry, credentials not needed", onRegistry(openRegistry, false, credcheck.KindGenericCR, login(registryUser, secretPassword)), credcheck.OK,
			func(t *testing.T, r credcheck.Result) {
				if !strings.Contains(r.Message, "not needed") {
					t.Fatalf("the message must say the credentials were not checked: %q", r.Message)
				}
			}},
		{"enterprise registry without credentials", onRegistry(basicRegistry, false, credcheck.KindGitHubEnterpriseCR, nil), credcheck.InvalidConfiguration, nil},
		{"enterprise registry, good credentials", onRegistry(basicRegistry, false, credcheck.KindGitHubEnterpriseCR, login(registryUser, secretPassword)), credcheck.OK, nil},
		{"username without password", onRegistry(basicRegistry, false, credcheck.KindGenericCR, map[string]string{"username": registryUser}), credcheck.InvalidConfiguration, nil},
		{"password with spaces is sent as stored", func(t *testing.T) (*credcheck.Checker, string, string, map[string]string) {
			f := newRegistry(t, basicRegistry, registryUser, " "+secretPassword+" ", false)
			return checker(f), credcheck.KindGenericCR, f.URL, login(registryUser, " "+secretPassword+" ")
		}, credcheck.OK, nil},
		{"blank password counts as unset", onRegistry(basicRegistry, false, credcheck.KindGenericCR, login(registryUser, "  ")), credcheck.InvalidConfiguration, nil},
		{"password without username", onRegistry(basicRegistry, false, credcheck.KindDockerHub, map[string]string{"password": secretPassword}), credcheck.InvalidConfiguration, nil},
	})
}

func TestRegistryBearerTokenFlow(t *testing.T) {
	f := newRegistry(t, bearerRegistry, registryUser, secretPassword, false)
	r := checker(f).ContainerRegistry(context.Background(), credcheck.KindGenericCR, f.URL+"/some/path", login(registryUser, secretPassword))
	expect(t, r, credcheck.OK)
	seen := f.seen()
	if len(seen) != 3 {
		t.Fatalf("want /v2/, /token, /v2/; got %d requests", len(seen))
	}
	if seen[0].URL.Path != "/v2/" || seen[0].Header.Get("Authorization") != "" {
		t.Fatalf("first request: %s with Authorization %q", seen[0].URL.Path, seen[0].Header.Get("Authorization"))
	}
	if u, p, ok := seen[1].BasicAuth(); seen[1].URL.Path != "/token" || !ok || u != registryUser || p != secretPassword {
		t.Fatalf("the token request must carry the login: %s", seen[1].URL)
	}
	if q := seen[1].URL.Query(); q.Get("service") != fakeService || q.Get("scope") != "registry:catalog:*" {
		t.Fatalf("the token request must pass the challenge's service and scope: %s", seen[1].URL.RawQuery)
	}
	if seen[2].Header.Get("Authorization") != "Bearer "+issuedToken {
		t.Fatalf("the retry must carry the issued token, got %q", seen[2].Header.Get("Authorization"))
	}
}

func TestRegistryKindsMapToTheirLogin(t *testing.T) {
	// Docker Hub's stored URL is https://docker.io; its API is elsewhere.
	t.Run("docker hub", func(t *testing.T) {
		f := newRegistry(t, bearerRegistry, registryUser, secretPassword, false)
		c := checker(f)
		c.DockerHubRegistry = f.URL
		for _, stored := range []string{"", "https://docker.io", "https://index.docker.io/"} {
			expect(t, c.ContainerRegistry(context.Background(), credcheck.KindDockerHub, stored, login(registryUser, secretPassword)), credcheck.OK)
		}
		expect(t, c.ContainerRegistry(context.Background(), credcheck.KindDockerHub, "https://docker.io", login(registryUser, secretToken)), credcheck.InvalidCredentials)
	})
	t.Run("scaleway logs in as nologin with the secret key", func(t *testing.T) {
		f := newRegistry(t, bearerRegistry, "nologin", secretScaleway, false)
		c := checker(f)
		creds := map[string]string{"scalewayAccessKey": "SCWACCESSKEY", "scalewaySecretKey": secretScaleway, "scalewayProjectID": "p", "region": "fr-par"}
		expect(t, c.ContainerRegistry(context.Background(), credcheck.KindScalewayCR, f.URL, creds), credcheck.OK)
		creds["scalewaySecretKey"] = secretPassword
		expect(t, c.ContainerRegistry(context.Background(), credcheck.KindScalewayCR, f.URL, creds), credcheck.InvalidCredentials)
		delete(creds, "scalewaySecretKey")
		expect(t, c.ContainerRegistry(context.Background(), credcheck.KindScalewayCR, f.URL, creds), credcheck.InvalidConfiguration)
	})
	t.Run("gcp logs in as _json_key with the key", func(t *testing.T) {
		f := newRegistry(t, bearerRegistry, "_json_key", secretJSONKey, false)
		c := checker(f)
		creds := map[string]string{"region": "europe-west1", "jsonCredentials": secretJSONKey}
		expect(t, c.ContainerRegistry(context.Background(), credcheck.KindGCPArtifactRegistry, f.URL, creds), credcheck.OK)
		creds["jsonCredentials"] = `{"type":"service_account","private_key":"another"}`
		expect(t, c.ContainerRegistry(context.Background(), credcheck.KindGCPArtifactRegistry, f.URL, creds), credcheck.InvalidCredentials)
		creds["jsonCredentials"] = "gcp-S3CR3T-92eb5ffee6 is not JSON"
		expect(t, c.ContainerRegistry(context.Background(), credcheck.KindGCPArtifactRegistry, f.URL, creds), credcheck.InvalidConfiguration)
		if n := len(f.seen()); n != 5 {
			t.Fatalf("a key that is not JSON must not be sent: want 3+2 requests, got %d", n)
		}
	})
}

func TestRegistryKindsOrgqlCannotCheck(t *testing.T) {
	f := newRegistry(t, openRegistry, "", "", true)
	c := checker(f)
	for _, tc := range []struct {
		kind  string
		creds map[string]string
	}{
		{credcheck.KindAzureCR, map[string]string{"azure_tenant_id": "t", "azure_subscription_id": "s"}},
		{credcheck.KindGCPArtifactRegistry, map[string]string{"gcpCredentialsType": "workload_identity_federation", "project_id": "p", "service_account_email": "sa@p.iam.gserviceaccount.com", "workload_identity_provider_resource": "projects/1/locations/global/workloadIdentityPools/p/providers/q"}},
		{credcheck.KindECR, map[string]string{"region": "eu-west-3", "roleARN": "arn:aws:iam::123456789012:role/qovery"}},
		{"DOCR", nil},
		{"docker_hub", nil},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			expect(t, c.ContainerRegistry(context.Background(), tc.kind, f.URL, tc.creds), credcheck.NotSupported)
		})
	}
	if n := len(f.seen()); n != 0 {
		t.Fatalf("an unsupported kind must not be sent anywhere; %d requests", n)
	}
}

// newECRAPI is a fake ECR (or ECR Public) API: it verifies the SigV4
// signature against the known secret and hands out a registry login.
func newECRAPI(t *testing.T, public bool, deny bool) *fake {
	t.Helper()
	service, region, target := "ecr", "eu-west-3", "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken"
	if public {
		service, region, target = "ecr-public", "us-east-1", "SpencerFrontendService.GetAuthorizationToken"
	}
	return newFake(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/" || r.Header.Get("X-Amz-Target") != target ||
			r.Header.Get("Content-Type") != "application/x-amz-json-1.1" {
			http.Error(w, "not a GetAuthorizationToken call", http.StatusBadRequest)
			return
		}
		auth := r.Header.Get("Authorization")
		day := r.Header.Get("X-Amz-Date")
		if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential="+awsKeyID+"/") {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"__type":"UnrecognizedClientException","message":"The security token included in the request is invalid."}`)
			return
		}
		at, err := time.Parse("20060102T150405Z", day)
		if err != nil || !strings.Contains(auth, "/"+day[:8]+"/"+region+"/"+service+"/aws4_request,") {
			http.Error(w, "bad credential scope", http.StatusBadRequest)
			return
		}
		want, _ := http.NewRequest(r.Method, "https://"+r.Host+r.URL.RequestURI(), nil)
		want.Header.Set("Content-Type", r.Header.Get("Content-Type"))
		want.Header.Set("X-Amz-Target", r.Header.Get("X-Amz-Target"))
		credcheck.SignV4(want, []byte("{}"), awsKeyID, secretAWSKey, region, service, at)
		if auth != want.Header.Get("Authorization") {
			w.Header().Set("X-Amzn-ErrorType", "InvalidSignatureException:http://internal.amazon.com/coral/com.amazon.coral.service/")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"message":"The request signature we calculated does not match the signature you provided."}`)
			return
		}
		if deny {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"__type":"com.amazonaws.ecr#AccessDeniedException","message":"User: %s is not authorized"}`, awsKeyID)
			return
		}
		token := base64.StdEncoding.EncodeToString([]byte("AWS:" + secretECRLogin))
		var body any = map[string]any{"authorizationToken": token, "expiresAt": 1.9e9}
		if !public {
			body = []any{map[string]any{"authorizationToken": token, "expiresAt": 1.9e9, "proxyEndpoint": "https://123456789012.dkr.ecr.eu-west-3.amazonaws.com"}}
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_ = json.NewEncoder(w).Encode(map[string]any{"authorizationData": body})
	})
}

func awsCreds(secret string) map[string]string {
	return map[string]string{"region": "eu-west-3", "accessKeyID": awsKeyID, "secretAccessKey": secret}
}

func TestRegistryECR(t *testing.T) {
	onECR := func(deny bool, creds map[string]string) func(t *testing.T) (*credcheck.Checker, string, string, map[string]string) {
		return func(t *testing.T) (*credcheck.Checker, string, string, map[string]string) {
			api := newECRAPI(t, false, deny)
			reg := newRegistry(t, basicRegistry, "AWS", secretECRLogin, false)
			c := checker(reg)
			c.ECREndpoint = api.URL
			return c, credcheck.KindECR, reg.URL, creds
		}
	}
	runRegistryCases(t, []registryCase{
		{"good keys", onECR(false, awsCreds(secretAWSKey)), credcheck.OK, nil},
		{"wrong secret key", onECR(false, awsCreds(secretPassword)), credcheck.InvalidCredentials, nil},
		{"unknown key id", onECR(false, map[string]string{"region": "eu-west-3", "accessKeyID": "AKIAUNKNOWN", "secretAccessKey": secretAWSKey}), credcheck.InvalidCredentials, nil},
		{"keys not allowed the call", onECR(true, awsCreds(secretAWSKey)), credcheck.Forbidden, nil},
		{"no keys", onECR(false, map[string]string{"region": "eu-west-3"}), credcheck.InvalidConfiguration, nil},
		{"half a key pair", onECR(false, map[string]string{"region": "eu-west-3", "accessKeyID": awsKeyID}), credcheck.InvalidConfiguration, nil},
		{"not a region", onECR(false, map[string]string{"region": "eu-west-3.evil.example", "accessKeyID": awsKeyID, "secretAccessKey": secretAWSKey}), credcheck.InvalidConfiguration, nil},
	})
	t.Run("the registry refuses the obtained login", func(t *testing.T) {
		api := newECRAPI(t, false, false)
		reg := newRegistry(t, basicRegistry, "AWS", "another-password", false)
		c := checker(reg)
		c.ECREndpoint = api.URL
		expect(t, c.ContainerRegistry(context.Background(), credcheck.KindECR, reg.URL, awsCreds(secretAWSKey)), credcheck.InvalidCredentials)
	})
	t.Run("signed at the clock's time", func(t *testing.T) {
		api := newECRAPI(t, false, false)
		reg := newRegistry(t, basicRegistry, "AWS", secretECRLogin, false)
		c := checker(reg)
		c.ECREndpoint = api.URL
		credcheck.SetClock(c, func() time.Time { return time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC) })
		expect(t, c.ContainerRegistry(context.Background(), credcheck.KindECR, reg.URL, awsCreds(secretAWSKey)), credcheck.OK)
		if got := api.seen()[0].Header.Get("X-Amz-Date"); got != "20260203T040506Z" {
			t.Fatalf("X-Amz-Date = %q", got)
		}
	})
}

func TestRegistryPublicECR(t *testing.T) {
	t.Run("anonymous", func(t *testing.T) {
		reg := newRegistry(t, bearerRegistry, "AWS", secretECRLogin, true)
		expect(t, checker(reg).ContainerRegistry(context.Background(), credcheck.KindPublicECR, reg.URL, nil), credcheck.OK)
	})
	t.Run("good keys", func(t *testing.T) {
		api := newECRAPI(t, true, false)
		reg := newRegistry(t, bearerRegistry, "AWS", secretECRLogin, false)
		c := checker(reg)
		c.ECRPublicEndpoint = api.URL
		expect(t, c.ContainerRegistry(context.Background(), credcheck.KindPublicECR, reg.URL, awsCreds(secretAWSKey)), credcheck.OK)
	})
	t.Run("wrong secret key", func(t *testing.T) {
		api := newECRAPI(t, true, false)
		reg := newRegistry(t, bearerRegistry, "AWS", secretECRLogin, false)
		c := checker(reg)
		c.ECRPublicEndpoint = api.URL
		expect(t, c.ContainerRegistry(context.Background(), credcheck.KindPublicECR, reg.URL, awsCreds(secretPassword)), credcheck.InvalidCredentials)
		if len(reg.seen()) != 0 {
			t.Fatal("refused keys must stop the check before the registry")
		}
	})
}

func TestRegistryMalformedAnswers(t *testing.T) {
	serve := func(h http.HandlerFunc) func(t *testing.T) (*credcheck.Checker, string, string, map[string]string) {
		return func(t *testing.T) (*credcheck.Checker, string, string, map[string]string) {
			f := newFake(t, h)
			return checker(f), credcheck.KindGenericCR, f.URL, login(registryUser, secretPassword)
		}
	}
	challenge := func(value string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("WWW-Authenticate", value)
			w.WriteHeader(http.StatusUnauthorized)
		}
	}
	// tokenAnswer is a registry whose token service answers body.
	tokenAnswer := func(status int, body string) func(t *testing.T) (*credcheck.Checker, string, string, map[string]string) {
		return func(t *testing.T) (*credcheck.Checker, string, string, map[string]string) {
			var f *fake
			f = newFake(t, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/token" {
					w.WriteHeader(status)
					fmt.Fprint(w, body)
					return
				}
				w.Header().Set("WWW-Authenticate", `Bearer realm="`+f.URL+`/token"`)
				w.WriteHeader(http.StatusUnauthorized)
			})
			return checker(f), credcheck.KindGenericCR, f.URL, login(registryUser, secretPassword)
		}
	}
	runRegistryCases(t, []registryCase{
		{"no registry there", serve(http.NotFound), credcheck.NotFound, nil},
		{"a web page, not a registry", serve(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "<!DOCTYPE html><html></html>") }), credcheck.UnexpectedResponse, nil},
		{"a web page after the login", serve(func(w http.ResponseWriter, r *http.Request) {
			if _, _, ok := r.BasicAuth(); !ok {
				w.Header().Set("WWW-Authenticate", `Basic realm="x"`)
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			fmt.Fprint(w, "<html>welcome</html>")
		}), credcheck.UnexpectedResponse, nil},
		{"registry answering JSON", serve(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "{}") }), credcheck.OK, nil},
		{"registry with its version header", serve(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Docker-Distribution-API-Version", "registry/2.0")
			fmt.Fprint(w, "ok")
		}), credcheck.OK, nil},
		{"server error", serve(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) }), credcheck.UnexpectedResponse, nil},
		{"rate limited", serve(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTooManyRequests) }), credcheck.UnexpectedResponse, nil},
		{"forbidden", serve(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusForbidden) }), credcheck.Forbidden, nil},
		{"401 without a challenge", serve(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusUnauthorized) }), credcheck.UnexpectedResponse, nil},
		{"unknown scheme", serve(challenge(`Negotiate`)), credcheck.UnexpectedResponse, nil},
		{"bearer without realm", serve(challenge(`Bearer service="x"`)), credcheck.UnexpectedResponse, nil},
		{"relative realm", serve(challenge(`Bearer realm="/token"`)), credcheck.UnexpectedResponse, nil},
		{"plain-http realm", serve(challenge(`Bearer realm="http://127.0.0.1:1/token"`)), credcheck.UnexpectedResponse, nil},
		{"realm with credentials", serve(challenge(`Bearer realm="https://u:p@127.0.0.1:1/token"`)), credcheck.UnexpectedResponse, nil},
		{"unterminated challenge", serve(challenge(`Bearer realm="https://127.0.0.1:1/tok`)), credcheck.UnexpectedResponse, nil},
		{"token service answers HTML", tokenAnswer(200, "<html>"+secretPassword+"</html>"), credcheck.UnexpectedResponse, nil},
		{"token service answers no token", tokenAnswer(200, `{"expires_in":60}`), credcheck.UnexpectedResponse, nil},
		{"token service answers an empty token", tokenAnswer(200, `{"token":""}`), credcheck.UnexpectedResponse, nil},
		{"token service refuses", tokenAnswer(401, secretPassword), credcheck.InvalidCredentials, nil},
		{"token service forbids", tokenAnswer(403, secretPassword), credcheck.Forbidden, nil},
		{"token service fails", tokenAnswer(500, secretPassword), credcheck.UnexpectedResponse, nil},
		{"token service answers too much", tokenAnswer(200, `{"token":"`+strings.Repeat("a", 2<<20)+`"}`), credcheck.UnexpectedResponse, nil},
		{"issued token refused", tokenAnswer(200, `{"token":"whatever"}`), credcheck.InvalidCredentials, nil},
	})
}

func TestRegistryURLs(t *testing.T) {
	f := newRegistry(t, openRegistry, "", "", false)
	c := checker(f)
	for _, raw := range []string{
		"http://" + f.host(),
		"ftp://" + f.host(),
		"https://" + registryUser + ":" + secretPassword + "@" + f.host(),
		"//" + f.host(),
		"https://",
		"not a url at all %",
	} {
		t.Run(raw, func(t *testing.T) {
			r := c.ContainerRegistry(context.Background(), credcheck.KindGenericCR, raw, nil)
			expect(t, r, credcheck.InvalidConfiguration)
		})
	}
	expect(t, c.ContainerRegistry(context.Background(), credcheck.KindGenericCR, "", nil), credcheck.InvalidConfiguration)
	expect(t, c.ContainerRegistry(context.Background(), credcheck.KindECR, "", awsCreds(secretAWSKey)), credcheck.InvalidConfiguration)
	if n := len(f.seen()); n != 0 {
		t.Fatalf("a refused URL must not be fetched; %d requests", n)
	}
}

func TestRegistryRedirects(t *testing.T) {
	t.Run("followed to another https host, without the credentials", func(t *testing.T) {
		target := newRegistry(t, openRegistry, "", "", false)
		from := newFake(t, func(w http.ResponseWriter, r *http.Request) {
			if _, _, ok := r.BasicAuth(); !ok {
				w.Header().Set("WWW-Authenticate", `Basic realm="x"`)
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			http.Redirect(w, r, target.URL+"/v2/", http.StatusTemporaryRedirect)
		})
		expect(t, checker(from).ContainerRegistry(context.Background(), credcheck.KindGenericCR, from.URL, login(registryUser, secretPassword)), credcheck.OK)
		for _, r := range target.seen() {
			if r.Header.Get("Authorization") != "" {
				t.Fatal("credentials followed a redirect to another host")
			}
		}
	})
	t.Run("not to plain http", func(t *testing.T) {
		plain, requests := newPlainServer(t)
		f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://"+plain+"/v2/", http.StatusFound)
		})
		expect(t, checker(f).ContainerRegistry(context.Background(), credcheck.KindGenericCR, f.URL, nil), credcheck.UnexpectedResponse)
		if n := requests(); n != 0 {
			t.Fatalf("the plain-http address must not be fetched; %d requests", n)
		}
	})
	t.Run("not forever", func(t *testing.T) {
		f := newFake(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/v2/?again", http.StatusFound)
		})
		expect(t, checker(f).ContainerRegistry(context.Background(), credcheck.KindGenericCR, f.URL, nil), credcheck.UnexpectedResponse)
		if n := len(f.seen()); n != 4 {
			t.Fatalf("want the request and 3 redirects followed, got %d requests", n)
		}
	})
}

func TestRegistryUnreachableSlowAndTLS(t *testing.T) {
	runRegistryCases(t, []registryCase{
		{"connection refused", func(t *testing.T) (*credcheck.Checker, string, string, map[string]string) {
			f := newRegistry(t, openRegistry, "", "", false)
			return checker(f), credcheck.KindGenericCR, closedURL(t), login(registryUser, secretPassword)
		}, credcheck.Unreachable, nil},
		{"name does not resolve", func(t *testing.T) (*credcheck.Checker, string, string, map[string]string) {
			f := newRegistry(t, openRegistry, "", "", false)
			return checker(f), credcheck.KindGenericCR, "https://registry.nonexistent.invalid", login(registryUser, secretPassword)
		}, credcheck.Unreachable, nil},
		{"slow registry", func(t *testing.T) (*credcheck.Checker, string, string, map[string]string) {
			f := newFake(t, hang)
			c := checker(f)
			c.Timeout = 200 * time.Millisecond
			return c, credcheck.KindGenericCR, f.URL, login(registryUser, secretPassword)
		}, credcheck.Timeout, nil},
		{"slow token service", func(t *testing.T) (*credcheck.Checker, string, string, map[string]string) {
			var f *fake
			f = newFake(t, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/token" {
					hang(w, r)
					return
				}
				w.Header().Set("WWW-Authenticate", `Bearer realm="`+f.URL+`/token"`)
				w.WriteHeader(http.StatusUnauthorized)
			})
			c := checker(f)
			c.Timeout = 200 * time.Millisecond
			return c, credcheck.KindGenericCR, f.URL, login(registryUser, secretPassword)
		}, credcheck.Timeout, nil},
		{"untrusted certificate", func(t *testing.T) (*credcheck.Checker, string, string, map[string]string) {
			f := newRegistry(t, openRegistry, "", "", false)
			return &credcheck.Checker{AllowPrivateNetworks: true, Timeout: 5 * time.Second}, credcheck.KindGenericCR, f.URL, nil
		}, credcheck.TLSError, nil},
		{"certificate for another name", func(t *testing.T) (*credcheck.Checker, string, string, map[string]string) {
			f := newRegistry(t, openRegistry, "", "", false)
			// The fakes' certificate names 127.0.0.1, ::1 and example.com.
			return checker(f), credcheck.KindGenericCR, strings.Replace(f.URL, "127.0.0.1", "localhost", 1), nil
		}, credcheck.TLSError, nil},
		{"not TLS", func(t *testing.T) (*credcheck.Checker, string, string, map[string]string) {
			plain, _ := newPlainServer(t)
			f := newRegistry(t, openRegistry, "", "", false)
			return checker(f), credcheck.KindGenericCR, "https://" + plain, nil
		}, credcheck.TLSError, nil},
	})
}

func TestRegistryCallerCancellation(t *testing.T) {
	f := newFake(t, hang)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	expect(t, checker(f).ContainerRegistry(ctx, credcheck.KindGenericCR, f.URL, nil), credcheck.Timeout)
}
